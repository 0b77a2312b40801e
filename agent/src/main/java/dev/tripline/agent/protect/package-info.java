/**
 * Protect mode in the agent (docs/protection.md). {@code ProtectionState} is the mode in force (the
 * policy held, its judge, fail-open and brake), set by the agent's policy thread ({@code
 * transport.PolicyConsumer}) and read by the application's threads. {@code EntryDecisions} is what
 * a guarded hook's entry asks through the dispatcher: the candidate event (from {@code
 * record.EntryCandidates}), the judge's verdict cached per target ({@code Verdicts}), and the
 * refusal ({@code RefusedCall}) in block. Runs on the application thread: a repeat costs a lookup.
 * Never imports {@code pipeline}, {@code transport}, {@code instrument}, {@code identity} or Kafka
 * (checked by {@code PackageRulesTest}).
 */
@NullMarked
package dev.tripline.agent.protect;

import org.jspecify.annotations.NullMarked;

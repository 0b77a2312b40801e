/**
 * The pipeline thread ({@code tripline-pipeline}) and nothing else: {@code Pipeline} takes new
 * occurrences off the recorder's queue, completes each (its call site named: {@code
 * Occurrence.template()}) and sends them, flushes folded repeats and heartbeats; the sinks ({@code
 * EventSink}, {@code Sinks}, {@code JsonlSink} with {@code EventJson}) write what it sends. Reads
 * {@code record}'s queue and occurrences; never imported by {@code instrument} or {@code record}
 * (checked by {@code PackageRulesTest}).
 */
@NullMarked
package dev.tripline.agent.pipeline;

import org.jspecify.annotations.NullMarked;

/**
 * The agent's handle on the bridge's gate ({@code Gate}): the class premain defined into a package
 * of {@code java.base} that only the agent's module and the woven JDK modules can reach, which
 * holds the brackets, the agent-thread mark and the sealed dispatcher. Called from any thread: the
 * pipeline's (heartbeat, canary), the application's (the recorder's own-thread check) and premain's
 * (trust, seal). A leaf: imports nothing of the agent (checked by {@code PackageRulesTest}), so
 * every other package may use it.
 */
@NullMarked
package dev.tripline.agent.gate;

import org.jspecify.annotations.NullMarked;

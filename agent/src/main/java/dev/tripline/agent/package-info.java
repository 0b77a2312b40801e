/**
 * The agent's entry and wiring: {@code TriplineAgent} ({@code premain}, on the thread that starts
 * the JVM), {@code AgentModule} (the agent's own named module), {@code AgentStarter} and {@code
 * AgentRuntime} (which builds the recorder, the dispatcher and the pipeline on the agent's thread
 * {@code tripline-pipeline}), {@code Watchdog} (thread {@code tripline-watchdog}). The only package
 * that knows all others; none of them imports it (checked by {@code PackageRulesTest}).
 */
package dev.tripline.agent;

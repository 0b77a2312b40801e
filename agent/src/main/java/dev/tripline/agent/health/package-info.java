/**
 * The agent's health: lock-free counters ({@code AgentStats}, incremented from any thread, the
 * application's included), tamper findings ({@code Tamper}), hook coverage ({@code Coverage}), and
 * their Micrometer/JMX views ({@code AgentMeters}, {@code AgentMBean}, registered from the pipeline
 * thread). Imports no other agent package but {@code config}.
 */
package dev.tripline.agent.health;

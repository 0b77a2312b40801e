/**
 * What the analyst-facing side (HTTP server, CLI) asks of the detection side: {@code
 * AnalystBackend} (queries, actions, health). Interfaces and value types only; depends on the wire
 * model alone, so the HTTP server can be tested against any implementation.
 */
package dev.tripline.collector.api;

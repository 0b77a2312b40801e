/**
 * The configuration grammar the agent and the collector share: {@link dev.tripline.config.Key}
 * declarations grouped in a {@link dev.tripline.config.KeyTable}, the value {@link
 * dev.tripline.config.Grammar}, secret files and environment names, and the service-to-topic
 * mapping. No dependencies but JSpecify's annotations (null-marked: NullAway checks it), and Java
 * 11 bytecode: the agent bundles this package (relocated under {@code
 * dev.tripline.agent.config.shared}, loaded in premain beside {@code AgentConfig}). What to do with
 * a bad value (warn and keep the default, or stop) is each program's choice, not this package's.
 */
@NullMarked
package dev.tripline.config;

import org.jspecify.annotations.NullMarked;

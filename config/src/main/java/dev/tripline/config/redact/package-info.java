/**
 * Secret redaction shared by the agent (before anything leaves the JVM) and the collector (again,
 * before anything is profiled or alerted on: an old or forged agent may send secrets). One copy of
 * the rules: the agent bundles this package relocated, as the rest of {@code dev.tripline.config}.
 */
@NullMarked
package dev.tripline.config.redact;

import org.jspecify.annotations.NullMarked;

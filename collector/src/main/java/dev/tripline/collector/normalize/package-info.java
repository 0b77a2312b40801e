/**
 * {@code Normalizer}: an event's target in the stable form a profile stores (ephemeral ports,
 * numbered and random path segments, temp files, pids and argument values folded), judged on what
 * the kernel touched. Pure functions; uses {@code kind} and the wire model only.
 */
@NullMarked
package dev.tripline.collector.normalize;

import org.jspecify.annotations.NullMarked;

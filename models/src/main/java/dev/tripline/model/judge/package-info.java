/**
 * The judgement shared by the collector and the agent (one implementation, never two copies that
 * can drift): {@code Normalizer}, an event's target in the stable form a profile stores (ephemeral
 * ports, numbered and random path segments, temp files, pids and argument values folded), judged on
 * what the kernel touched; {@code KnownBadRules}, behaviour that is bad whatever a profile says
 * (the built-in {@code known-bad.rules} beside these classes); {@code KindShapes}, the part of the
 * kind table they need. Java 11, protobuf, the config module's path shapes and JSpecify only: the
 * agent bundles this module relocated.
 */
@NullMarked
package dev.tripline.model.judge;

import org.jspecify.annotations.NullMarked;

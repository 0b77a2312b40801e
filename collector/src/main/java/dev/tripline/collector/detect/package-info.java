/**
 * Every detection decision, free of Kafka: {@code Detection} (a batch, an analyst action, the
 * periodic tick, with the clock passed in), {@code Detector} (one event against a profile: learn,
 * known, new, known-bad, new code owner), {@code Classifier} and {@code KnownBadRules} (rules, with
 * a cache), {@code RateModel} (rate windows and the isolation forest), {@code AlertFolding} and
 * {@code ProfileOverflow}. May use {@code kind}, {@code normalize}, {@code profile}, {@code alert},
 * Caffeine and Smile; must not import {@code org.apache.kafka} (checked by {@code
 * PackageRulesTest}).
 */
@NullMarked
package dev.tripline.collector.detect;

import org.jspecify.annotations.NullMarked;

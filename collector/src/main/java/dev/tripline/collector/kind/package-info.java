/**
 * The one table of event kinds ({@code KindTable}, a {@code KindRow} per {@code EventKind}):
 * family, the kind a profile files it under, target shape, NEW_* reason, severity, MITRE technique,
 * titles and verbs, rate feature. A new kind of behaviour is one row here; code that must branch on
 * a kind switches on the row's {@code TargetShape} in a switch expression without {@code default}.
 * Uses the wire model and {@code detect.Mitre} only.
 */
@NullMarked
package dev.tripline.collector.kind;

import org.jspecify.annotations.NullMarked;

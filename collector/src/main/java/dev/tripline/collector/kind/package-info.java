/**
 * The one table of event kinds ({@code KindTable}, a {@code KindRow} per {@code EventKind}):
 * family, NEW_* reason, severity, MITRE technique, titles and verbs, rate feature; the kind a
 * profile files it under and the target shape come from the shared {@code model.judge.KindShapes}.
 * A new kind of behaviour is one row here and one there; code that must branch on a kind switches
 * on the row's {@code TargetShape} without {@code default}. Uses the wire model only.
 */
@NullMarked
package dev.tripline.collector.kind;

import org.jspecify.annotations.NullMarked;

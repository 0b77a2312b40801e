/**
 * Reading protection policies ({@link dev.tripline.model.ProtectionPolicy}) safely, the same on
 * both sides: the collector reads back what it issued, the agent (which bundles this module,
 * relocated) decides what to enforce. Depends on protobuf-java and the JDK only; Java 11.
 */
package dev.tripline.model.protect;

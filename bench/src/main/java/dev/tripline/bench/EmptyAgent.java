package dev.tripline.bench;

import java.lang.instrument.Instrumentation;

/**
 * A {@code -javaagent} whose {@code premain} does nothing: what the JVM itself charges for any Java
 * agent ({@code java.instrument}, and on JDK 17 the archived module graph switched off), the floor
 * under every agent's start-up figure.
 */
public final class EmptyAgent {
  private EmptyAgent() {}

  public static void premain(String args, Instrumentation inst) {
    // nothing: the point
  }
}

package dev.tripline.kafka;

import java.time.Duration;

/**
 * How long a test waits for something that must happen, in one place for every module's tests. On a
 * 2-core machine shared by several builds (load average 7 and more) a forked JVM's start, a broker
 * round trip or a stream commit takes many times what it takes on a quiet one: a test waits for the
 * condition it needs (Awaitility), never for a fixed wall-clock window, and gives up only after
 * this long. A test that passes costs no more: the wait ends when the condition holds.
 *
 * <p>{@code -Dtripline.test.wait=SECONDS} changes it (a slower machine, or a quicker failure while
 * working on a test).
 */
public final class Patience {
  private Patience() {}

  /** The longest a test waits for a condition: 180 s unless {@code tripline.test.wait} says. */
  public static final Duration WAIT = Duration.ofSeconds(Long.getLong("tripline.test.wait", 180));

  /**
   * The longest a forked JVM may run a test application to its end: {@link #WAIT} and a half (it
   * starts a JVM, then waits for its own conditions inside).
   */
  public static final Duration FORKED_RUN = WAIT.plus(WAIT.dividedBy(2));
}

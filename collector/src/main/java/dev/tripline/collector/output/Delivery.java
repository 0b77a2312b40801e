package dev.tripline.collector.output;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * What one attempt came to. Senders classify, the worker decides: {@link Retry} is tried again with
 * back-off until the output's retry budget is spent, {@link Failed} goes to the dead-letter topic
 * at once (a retry cannot fix a refused signature or a redirect).
 */
public sealed interface Delivery {
  Delivered OK = new Delivered();

  /** The receiver took it. */
  record Delivered() implements Delivery {}

  /**
   * Worth trying again: a 5xx, a 429, a timeout, a refused connection.
   *
   * @param after the receiver's own wait ({@code Retry-After}), or null for the back-off
   */
  record Retry(String reason, @Nullable Duration after) implements Delivery {}

  /** No retry can help: a 4xx, a redirect, a message the receiver will never take. */
  record Failed(String reason) implements Delivery {}

  static Retry retry(String reason) {
    return new Retry(reason, null);
  }
}

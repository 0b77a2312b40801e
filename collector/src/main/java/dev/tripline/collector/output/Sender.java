package dev.tripline.collector.output;

/**
 * One protocol: turns a {@link Notice} into one delivery attempt and classifies its outcome. Never
 * retries, never sleeps, never throws for the receiver's behaviour (that is a {@link Delivery}).
 * Every wait inside is bounded by the output's {@code timeout}.
 */
public interface Sender extends AutoCloseable {
  Delivery send(Notice notice);

  /** Whether this protocol has anything to say for an alert closed by an analyst. */
  default boolean resolves() {
    return false;
  }

  @Override
  default void close() {}
}

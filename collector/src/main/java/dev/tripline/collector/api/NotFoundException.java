package dev.tripline.collector.api;

/** The request names an alert or service that does not exist: 404 on every method. */
public final class NotFoundException extends IllegalArgumentException {
  public NotFoundException(String message) {
    super(message);
  }
}

package dev.tripline.collector.output;

import dev.tripline.config.Settings;

/** One output as configured and checked: its name, type, keys (typed), filter and sender. */
public record OutputSpec(
    String name, String type, Settings settings, AlertFilter filter, Sender sender) {
  public <T> T get(dev.tripline.config.Key<T> key) {
    return settings.get(key);
  }
}

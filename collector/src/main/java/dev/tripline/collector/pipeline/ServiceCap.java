package dev.tripline.collector.pipeline;

import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * At most {@code services.max} services: a batch for a service that has no profile yet is refused
 * once the limit is reached, so that a producer inventing service names cannot grow the collector's
 * state without bound. Exact within a task (the profiles it owns, counted at start), and checked
 * against the global profile view (every task's services, a commit or so behind) so that the limit
 * holds for the collector as a whole.
 */
final class ServiceCap {
  /** One log line per collector, not one per task or batch. */
  private final AtomicBoolean reported;

  private final int max;
  private KeyValueStore<String, ?> profiles;
  private KeyValueStore<?, ?> view;
  private long known;
  private long recountedAt;

  ServiceCap(int max, AtomicBoolean reported) {
    this.max = max;
    this.reported = reported;
  }

  void init(ProcessorContext<?, ?> context) {
    profiles = context.getStateStore(Names.PROFILES_STORE);
    view = context.getStateStore(Names.PROFILE_VIEW_STORE);
    known = count();
  }

  /** True when the batch may go on: the service is known, or there is room for one more. */
  boolean admit(String service) {
    if (known(service)) {
      return true;
    }
    if (known >= max && System.currentTimeMillis() - recountedAt > 1_000) {
      known = count(); // profiles may have been removed meanwhile; at most once a second
      recountedAt = System.currentTimeMillis();
    }
    if (known < max && view.approximateNumEntries() < max) {
      known++;
      return true;
    }
    if (reported.compareAndSet(false, true)) {
      System.err.println(
          "[tripline] services.max ("
              + max
              + ") reached: batches for new services such as '"
              + Parsers.printable(service)
              + "' are dead-lettered from now on (tripline_events_refused_total{reason=\"services_max\"})");
    }
    return false;
  }

  /**
   * Whether the service has a profile. A get: the store holds the profile's raw bytes (nothing is
   * parsed), and a one-key range scan cost several times more per batch (merged cache and store
   * iterators; CollectorBench, JFR).
   */
  private boolean known(String service) {
    return profiles.get(service) != null;
  }

  int max() {
    return max;
  }

  private long count() {
    long n = 0;
    try (KeyValueIterator<String, ?> it = profiles.all()) {
      while (it.hasNext()) {
        it.next();
        n++;
      }
    }
    return n;
  }
}

package dev.tripline.agent.record;

import java.nio.channels.Channel;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jspecify.annotations.Nullable;

/**
 * Non-blocking connects in flight: the channel and the address it asked for, from {@code connect}
 * (which returned "pending") to {@code finishConnect} (which knows the outcome, but on failure has
 * closed the channel and forgotten the address). Open addressing in two fixed arrays, keyed by the
 * channel's identity: no allocation, no lock. Full (more than {@link #SLOTS} connects pending at
 * once; a slot of a channel closed before finishing is reused): the caller reports at once, as an
 * attempt.
 */
final class PendingConnects {
  static final int SLOTS = 256;
  private static final int PROBES = 8;

  private final AtomicReferenceArray<Object> channels = new AtomicReferenceArray<>(SLOTS);
  private final AtomicReferenceArray<Object> addresses = new AtomicReferenceArray<>(SLOTS);

  /** Remembers {@code address} for {@code channel}; false when there was no room. */
  boolean put(Object channel, @Nullable Object address) {
    int h = System.identityHashCode(channel);
    for (int p = 0; p < PROBES; p++) {
      int i = (h + p) & (SLOTS - 1);
      Object held = channels.get(i);
      if (held == channel
          || channels.compareAndSet(i, null, channel)
          || (abandoned(held) && channels.compareAndSet(i, held, channel))) {
        addresses.set(i, address);
        return true;
      }
    }
    return false;
  }

  /** A channel closed while its connect was pending: its slot may be reused. */
  private static boolean abandoned(@Nullable Object held) {
    return held instanceof Channel && !((Channel) held).isOpen();
  }

  /** The address {@code channel} asked for, forgotten from now on; null when unknown. */
  @Nullable Object take(Object channel) {
    int h = System.identityHashCode(channel);
    for (int p = 0; p < PROBES; p++) {
      int i = (h + p) & (SLOTS - 1);
      if (channels.get(i) == channel) {
        Object address = addresses.getAndSet(i, null);
        channels.compareAndSet(i, channel, null);
        return address;
      }
    }
    return null;
  }
}

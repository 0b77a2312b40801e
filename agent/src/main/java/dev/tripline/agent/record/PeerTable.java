package dev.tripline.agent.record;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jspecify.annotations.NullMarked;
import org.jspecify.annotations.Nullable;

/**
 * The peers of one kind and outcome: address, then port ({@link PortTable}). A repeat is one map
 * read keyed by the InetAddress the hook holds; a new address is one {@code putIfAbsent} of a table
 * that already holds its first port. No Caffeine here: a distinct destination per operation paid,
 * on the application thread, a Caffeine node, a write-buffer entry and the scheduling of its upkeep
 * for every new peer (a quarter of a first sight's cost, by the profile in docs/benchmarks.md).
 *
 * <p>Bounded all the same: past {@code max} addresses, {@link #trim} evicts those seen longest ago
 * (their occurrences' last-seen time), counting what they lose, down to seven eighths of {@code
 * max}. The pipeline thread trims on its tick; a burst that doubles the bound before the tick is
 * trimmed by the writing thread, so memory never exceeds twice the bound.
 */
@NullMarked
final class PeerTable {
  private final ConcurrentHashMap<InetAddress, PortTable> peers = new ConcurrentHashMap<>();
  private final int max;
  private final Consumer<Occurrence> onEviction;

  /** One trimmer at a time; the others go on (a trim is upkeep, never worth waiting for). */
  private final ReentrantLock trimming = new ReentrantLock();

  PeerTable(int max, Consumer<Occurrence> onEviction) {
    this.max = max;
    this.onEviction = onEviction;
  }

  /** The ports known for {@code address}, or null. */
  @Nullable PortTable get(InetAddress address) {
    return peers.get(address);
  }

  /**
   * Adds {@code table} for {@code address} unless another thread did first; returns the table now
   * in place.
   */
  PortTable putIfAbsent(InetAddress address, PortTable table) {
    PortTable there = peers.putIfAbsent(address, table);
    if (there != null) {
      return there;
    }
    if (peers.size() > 2 * max) {
      trim(); // the pipeline's tick is late: bounded on this thread
    }
    return table;
  }

  /** Addresses held now. */
  int size() {
    return peers.size();
  }

  /** Every table, for the flush. */
  Collection<PortTable> tables() {
    return peers.values();
  }

  /**
   * Evicts the addresses seen longest ago, down to seven eighths of the bound, once there are more
   * than {@code max}: a trim sorts the whole table, so it is paid once per {@code max / 8} new
   * addresses, not for each (the pipeline ticks after every send).
   */
  void trim() {
    if (peers.size() <= max || !trimming.tryLock()) {
      return;
    }
    try {
      List<Map.Entry<InetAddress, PortTable>> entries = new ArrayList<>(peers.entrySet());
      int excess = entries.size() - (max - max / 8);
      if (excess <= 0 || entries.size() >= 1 << INDEX_BITS) {
        return;
      }
      // last-seen times read once (they move while this runs), sorted with their index
      long[] seen = new long[entries.size()];
      long oldest = Long.MAX_VALUE;
      for (int i = 0; i < seen.length; i++) {
        seen[i] = entries.get(i).getValue().lastSeenMs();
        oldest = Math.min(oldest, seen[i]);
      }
      for (int i = 0; i < seen.length; i++) {
        long age = Math.min(seen[i] - oldest, (1L << (63 - INDEX_BITS)) - 1);
        seen[i] = age << INDEX_BITS | i;
      }
      Arrays.sort(seen);
      for (int k = 0; k < excess; k++) {
        Map.Entry<InetAddress, PortTable> e =
            entries.get((int) (seen[k] & ((1 << INDEX_BITS) - 1)));
        if (peers.remove(e.getKey(), e.getValue())) {
          for (Occurrence o : e.getValue().all()) {
            onEviction.accept(o);
          }
        }
      }
    } finally {
      trimming.unlock();
    }
  }

  /** Bits of an entry's index in a trim's sort key: 4 Mi entries, over twice the largest bound. */
  private static final int INDEX_BITS = 22;
}

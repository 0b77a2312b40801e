package dev.tripline.agent.record;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.RemovalListener;
import dev.tripline.agent.health.AgentStats;
import dev.tripline.model.EventKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jspecify.annotations.NullMarked;
import org.jspecify.annotations.Nullable;

/**
 * The recorder's two cache families, one cache per kind and outcome, built on first use (most kinds
 * never occur in a given application): targets (one key per path, command line…, in Caffeine) and
 * peers (the InetAddress, then its ports, in a {@link PeerTable}). Each holds at most {@code
 * cache.size} entries; what an eviction loses (repeats not yet flushed, a first not yet delivered)
 * is counted; their upkeep runs on the pipeline thread ({@link CacheUpkeep}, {@link
 * PeerTable#trim}). The recorder decides repeat or fresh on them: this class builds, evicts and
 * lists.
 */
@NullMarked
final class OccurrenceCaches {
  private static final int SLOTS = maxKindNumber() + 1;

  private final AgentStats stats;
  private final int size;
  private final CacheUpkeep upkeep = new CacheUpkeep();
  private final AtomicReferenceArray<Cache<Object, Occurrence>> targets =
      new AtomicReferenceArray<>(SLOTS * 2);
  private final AtomicReferenceArray<PeerTable> peers = new AtomicReferenceArray<>(SLOTS * 2);

  OccurrenceCaches(AgentStats stats, int size) {
    this.stats = stats;
    this.size = size;
  }

  private static int maxKindNumber() {
    int max = 0;
    for (EventKind k : EventKind.values()) {
      if (k != EventKind.UNRECOGNIZED) max = Math.max(max, k.getNumber());
    }
    return max;
  }

  private static int slot(EventKind kind, @Nullable Throwable error) {
    return kind.getNumber() * 2 + (error == null ? 0 : 1);
  }

  Cache<Object, Occurrence> targets(EventKind kind, @Nullable Throwable error) {
    return lazy(
        targets,
        slot(kind, error),
        (@Nullable Object k, @Nullable Occurrence v, RemovalCause cause) -> {
          if (!FileShapes.isShapeKey(k))
            lostOnEviction(v, cause); // a shape's occurrence is also under its path
        });
  }

  PeerTable peers(EventKind kind, @Nullable Throwable error) {
    int i = slot(kind, error);
    PeerTable t = peers.get(i);
    if (t == null) {
      peers.compareAndSet(i, null, new PeerTable(size, o -> lostOnEviction(o, RemovalCause.SIZE)));
      t = peers.get(i);
    }
    return t;
  }

  private <K, V> Cache<K, V> lazy(
      AtomicReferenceArray<Cache<K, V>> caches, int i, RemovalListener<K, V> onEviction) {
    Cache<K, V> c = caches.get(i);
    if (c == null) {
      caches.compareAndSet(
          i,
          null,
          Caffeine.newBuilder()
              .maximumSize(size)
              .executor(upkeep.executor())
              .evictionListener(onEviction)
              .build());
      c = caches.get(i);
    }
    return c;
  }

  private void lostOnEviction(@Nullable Occurrence o, RemovalCause cause) {
    if (cause.wasEvicted() && o != null && o != Occurrence.IGNORED) {
      o.evicted = true;
      long lost = o.pending.get() + (o.firstUndelivered ? 1 : 0);
      if (lost > 0) {
        stats.dropped(AgentStats.CACHE_FULL, lost);
      }
    }
  }

  /** The caches' upkeep asked for since the last call: on the pipeline thread's tick. */
  void upkeep() {
    upkeep.run();
    trimPeers();
  }

  private void trimPeers() {
    for (int i = 0; i < peers.length(); i++) {
      PeerTable t = peers.get(i);
      if (t != null) t.trim();
    }
  }

  /** Every known occurrence, for the periodic flush of repeats. */
  List<Occurrence> all() {
    List<Occurrence> all = new ArrayList<>();
    for (int i = 0; i < targets.length(); i++) {
      Cache<Object, Occurrence> cache = targets.get(i);
      if (cache == null) continue;
      for (Map.Entry<Object, Occurrence> e : cache.asMap().entrySet()) {
        if (e.getValue() != Occurrence.IGNORED && !FileShapes.isShapeKey(e.getKey()))
          addWithOtherSites(all, e.getValue());
      }
    }
    for (int i = 0; i < peers.length(); i++) {
      PeerTable table = peers.get(i);
      if (table == null) continue;
      for (PortTable ports : table.tables()) {
        for (Occurrence o : ports.all()) addWithOtherSites(all, o);
      }
    }
    return all;
  }

  private static void addWithOtherSites(List<Occurrence> all, Occurrence o) {
    all.add(o);
    for (Occurrence other : o.otherSites()) {
      all.add(other); // a lost first send is retried with the flush
    }
  }

  /** Runs the caches' pending upkeep (evictions) now, on this thread: for tests. */
  void cleanUp() {
    for (int i = 0; i < targets.length(); i++) {
      Cache<Object, Occurrence> c = targets.get(i);
      if (c != null) c.cleanUp();
    }
    trimPeers();
  }
}

package dev.tripline.collector.detect;

import java.util.HashSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Distinct peers (IP and port) of one service's connects in one rate window, in bounded memory
 * whatever a flood sends: the first {@link #MAX_EXACT} are kept and counted exactly (what an
 * analyst reads: "340 distinct peers, learned at most 4"); peers beyond them are counted by linear
 * counting over a fixed bitmap of {@link #BITS} bits (Whang et al.), an estimate within a few
 * percent up to about a hundred thousand more and never below {@link #MAX_EXACT}, so a scan still
 * stands far above anything learned.
 */
final class DistinctPeers {
  /** Peers kept exactly per window: ~64 KiB at most. */
  static final int MAX_EXACT = 1024;

  /** The estimate's bitmap: 4 KiB, allocated only once a window passes {@link #MAX_EXACT}. */
  static final int BITS = 1 << 15;

  /** No string is built per connect: the event's own IP string (its hash is cached) and port. */
  private record Peer(String ip, int port) {}

  private final Set<Peer> exact = new HashSet<>();
  private long @Nullable [] beyond;
  private int beyondSet;
  private long estimated;

  void add(String ip, int port) {
    Peer p = new Peer(ip, port);
    if (exact.size() < MAX_EXACT) {
      exact.add(p);
      return;
    }
    if (exact.contains(p)) {
      return;
    }
    estimated++;
    long[] bits = beyond;
    if (bits == null) {
      bits = beyond = new long[BITS / 64];
    }
    int bit = mix(ip.hashCode() * 31 + port) & (BITS - 1);
    long mask = 1L << bit;
    if ((bits[bit >>> 6] & mask) == 0) {
      bits[bit >>> 6] |= mask;
      beyondSet++;
    }
  }

  /** Exact up to {@link #MAX_EXACT}, then that plus the estimate of the peers beyond. */
  double count() {
    if (beyondSet == 0) {
      return exact.size();
    }
    int zeros = BITS - beyondSet;
    // a saturated bitmap says "at least this many": the estimate at one zero bit left
    double more = BITS * Math.log((double) BITS / Math.max(1, zeros));
    return exact.size() + Math.rint(more);
  }

  /** Connects counted by the estimate, not exactly (a meter: a flood of peers in one window). */
  long estimated() {
    return estimated;
  }

  /** A 32-bit finaliser (murmur3's), so that similar IPs spread over the bitmap. */
  private static int mix(int h) {
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }
}

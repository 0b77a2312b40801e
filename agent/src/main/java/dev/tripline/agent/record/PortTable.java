package dev.tripline.agent.record;

import org.jspecify.annotations.Nullable;

/**
 * Occurrences of one peer address by port. Lets a repeated connect be found from the (InetAddress,
 * int) the hook already has, without allocating a composite key. Copy-on-write: ports per peer are
 * few and new ones rare.
 */
final class PortTable {
  private volatile int[] ports;
  private volatile Occurrence[] occurrences;

  /** A new peer's table, with the first port already in: no copy, no lock. */
  PortTable(int port, Occurrence first) {
    this.ports = new int[] {port};
    this.occurrences = new Occurrence[] {first};
  }

  @Nullable Occurrence get(int port) {
    int[] p = ports;
    Occurrence[] o = occurrences;
    for (int i = 0; i < p.length && i < o.length; i++) {
      if (p[i] == port) {
        return o[i];
      }
    }
    return null;
  }

  /** Adds unless present; returns the occurrence now in the table. */
  synchronized Occurrence putIfAbsent(int port, Occurrence occurrence) {
    Occurrence existing = get(port);
    if (existing != null) {
      return existing;
    }
    int n = ports.length;
    int[] p = java.util.Arrays.copyOf(ports, n + 1);
    Occurrence[] o = java.util.Arrays.copyOf(occurrences, n + 1);
    p[n] = port;
    o[n] = occurrence;
    occurrences = o; // written first: readers bound the scan by both lengths
    ports = p;
    return occurrence;
  }

  Occurrence[] all() {
    return occurrences;
  }

  /** When one of its ports was last seen (for eviction: the oldest go first). */
  long lastSeenMs() {
    long last = Long.MIN_VALUE;
    for (Occurrence o : occurrences) {
      last = Math.max(last, o.lastSeenMs);
    }
    return last;
  }
}

package dev.tripline.agent.protect;

import dev.tripline.model.EventKind;
import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Verdicts cached per target, so a repeated call costs one lookup and no allocation: files, renames
 * and Unix sockets by the path string as given (per kind), TCP peers by their {@code InetAddress}
 * and then the port. A verdict of an older policy generation is judged again. Bounded: a map grown
 * past {@link #MAX_ENTRIES} is emptied (counted): its targets are judged again.
 *
 * <p>A verdict is reused only for calls the judge would answer alike ({@link Verdict}): one the
 * judge made from the target alone for every call; one that read the context categories on the
 * stack (a connect, which a JNDI frame makes refused; a credentials file, which an attack's frame
 * makes refused) only for a call with the same categories on its stack, found by one stack walk.
 * What is not cached: spawns (a fork costs far more than a judgement, and argv would need a key
 * built per call), and a verdict the judge made from the call site.
 */
final class Verdicts {
  static final int MAX_ENTRIES = 4096;
  static final int MAX_PORTS = 64;

  private final ConcurrentHashMap<Object, Verdict>[] byKind;
  private final ConcurrentHashMap<InetAddress, Ports> peers = new ConcurrentHashMap<>();
  private final Runnable onFull;

  @SuppressWarnings({"unchecked", "rawtypes"})
  Verdicts(Runnable onFull) {
    this.onFull = onFull;
    int max = 0;
    for (EventKind k : EventKind.values()) {
      if (k != EventKind.UNRECOGNIZED) {
        max = Math.max(max, k.getNumber());
      }
    }
    byKind = new ConcurrentHashMap[max + 1];
    for (int i = 0; i < byKind.length; i++) {
      byKind[i] = new ConcurrentHashMap<>();
    }
  }

  @Nullable Verdict get(EventKind kind, Object key, int generation) {
    Verdict v = byKind[kind.getNumber()].get(key);
    return v != null && v.generation == generation ? v : null;
  }

  void put(EventKind kind, Object key, Verdict v) {
    ConcurrentHashMap<Object, Verdict> m = byKind[kind.getNumber()];
    if (m.size() >= MAX_ENTRIES) {
      m.clear();
      onFull.run();
    }
    m.put(key, v);
  }

  @Nullable Verdict peer(InetAddress address, int port, int generation) {
    Ports p = peers.get(address);
    return p == null ? null : p.get(port, generation);
  }

  void putPeer(InetAddress address, int port, Verdict v) {
    Ports p = peers.get(address);
    if (p == null) {
      if (peers.size() >= MAX_ENTRIES) {
        peers.clear();
        onFull.run();
      }
      p = peers.computeIfAbsent(address, a -> new Ports());
    }
    p.put(port, v);
  }

  /** Empties every map (a new policy: everything is judged again). */
  void clear() {
    for (ConcurrentHashMap<Object, Verdict> m : byKind) {
      m.clear();
    }
    peers.clear();
  }

  /** One address's ports: copy-on-write arrays, read without a lock or an allocation. */
  private static final class Ports {
    private volatile int[] ports = new int[0];
    private volatile Verdict[] verdicts = new Verdict[0];

    @Nullable Verdict get(int port, int generation) {
      int[] p = ports;
      Verdict[] v = verdicts;
      for (int i = 0; i < p.length && i < v.length; i++) {
        if (p[i] == port) {
          return v[i].generation == generation ? v[i] : null;
        }
      }
      return null;
    }

    synchronized void put(int port, Verdict verdict) {
      int[] p = ports;
      Verdict[] v = verdicts;
      for (int i = 0; i < p.length; i++) {
        if (p[i] == port) {
          Verdict[] copy = v.clone();
          copy[i] = verdict;
          verdicts = copy;
          return;
        }
      }
      if (p.length >= MAX_PORTS) {
        verdicts = new Verdict[0];
        ports = new int[0];
        p = ports;
        v = verdicts;
      }
      int[] np = java.util.Arrays.copyOf(p, p.length + 1);
      Verdict[] nv = java.util.Arrays.copyOf(v, v.length + 1);
      np[p.length] = port;
      nv[v.length] = verdict;
      verdicts = nv; // verdicts first: a reader bounds by both lengths
      ports = np;
    }
  }
}

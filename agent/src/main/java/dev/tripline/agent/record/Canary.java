package dev.tripline.agent.record;

import dev.tripline.agent.gate.Gate;
import java.io.FileInputStream;
import java.io.IOException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Proof that the dispatch path is intact: before every heartbeat the pipeline thread opens a file
 * that cannot exist ({@code /proc/self/} refuses new names), counted as an application thread for
 * that one call. The open goes through the woven JDK method, the bridge, the sealed dispatcher and
 * the recorder exactly as an application's would; the recorder recognises the path and counts it
 * instead of reporting it. A canary that does not arrive means something between the hook and the
 * recorder was changed (a retransformed class, a poked dispatcher, a recorder switched off).
 */
public final class Canary {
  private final String path =
      "/proc/self/tripline-canary-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
  private final AtomicLong arrived = new AtomicLong();

  /** True when {@code path} is this canary's (not counted: protect mode never judges it). */
  boolean is(String path) {
    return this.path.equals(path);
  }

  /** True (and counted) when {@code path} is the canary's. */
  boolean arrived(String path) {
    if (this.path.equals(path)) {
      arrived.incrementAndGet();
      return true;
    }
    return false;
  }

  /** Performs one canary; true when it arrived at the recorder. */
  /** The file the canary opens (it never exists). */
  String path() {
    return path;
  }

  public boolean probe() {
    long before = arrived.get();
    Gate.observed(this::open);
    return arrived.get() > before;
  }

  private void open() {
    try (FileInputStream in = new FileInputStream(path)) {
      in.available(); // never reached: the file cannot exist
    } catch (IOException expected) {
      // the failed open is what the hook reports
    }
  }
}

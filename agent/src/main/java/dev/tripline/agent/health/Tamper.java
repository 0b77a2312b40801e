package dev.tripline.agent.health;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the agent noticed of an attempt to blind it: a refused bridge call, a replaced dispatcher, a
 * failed canary, an interrupted or dead agent thread. Counted since start; the latest {@link #KEPT}
 * lines travel with every heartbeat, and a new finding makes the pipeline send one at once.
 * Bounded, whatever the attacker repeats: a line is cut to {@link #MAX_LINE} characters and a
 * finding equal to the latest one is only counted.
 */
public final class Tamper {
  public static final int KEPT = 8;
  public static final int MAX_LINE = 240;

  private final AtomicLong count = new AtomicLong();
  private final ArrayDeque<String> latest = new ArrayDeque<>();

  /** Records one finding: {@code what} happened, said in one line. */
  public void found(String what) {
    count.incrementAndGet();
    String line = what.length() > MAX_LINE ? what.substring(0, MAX_LINE) : what;
    synchronized (latest) {
      if (line.equals(latest.peekLast())) {
        return;
      }
      if (latest.size() == KEPT) {
        latest.removeFirst();
      }
      latest.addLast(line);
    }
  }

  public long count() {
    return count.get();
  }

  /** The latest findings, oldest first. */
  public List<String> latest() {
    synchronized (latest) {
      return new ArrayList<>(latest);
    }
  }
}

package dev.tripline.agent.config;

import java.lang.instrument.Instrumentation;
import org.jspecify.annotations.Nullable;

/**
 * premain's call into the agent's module ({@code AgentStarter}), made without core reflection: from
 * JDK 18 a reflective call's first run spins method-handle classes for its shape, ~15 ms of the
 * application's start-up for this five-argument call on JDK 25 (docs/benchmarks.md). premain
 * initialises {@code AgentStarter} in the module's loader; its initializer {@link #offer offers} an
 * entry on premain's thread and premain {@link #take takes} it at once and calls it through this
 * interface, which both loaders share (the module's loader hands the configuration package over
 * from premain's). The slot is the thread's own and empty again before premain returns: no other
 * thread ever sees an entry, and the application, which later runs on this thread, finds none.
 */
public interface AgentEntry {
  /**
   * Weaves the hooks and starts the agent's thread; once per JVM.
   *
   * @param premainStart {@code System.nanoTime()} when {@code premain} was entered
   * @param bridgeNanos time spent defining the bridge in the bootstrap loader
   * @param moduleNanos time spent defining the agent's module
   */
  void start(
      Instrumentation inst,
      AgentConfig config,
      long premainStart,
      long bridgeNanos,
      long moduleNanos);

  /** Called by {@code AgentStarter}'s initializer, on the thread that initialises it. */
  static void offer(AgentEntry entry) {
    EntrySlot.SLOT.set(entry);
  }

  /** The entry offered on this thread, or null; the slot is empty afterwards. */
  static @Nullable AgentEntry take() {
    AgentEntry entry = EntrySlot.SLOT.get();
    EntrySlot.SLOT.remove();
    return entry;
  }
}

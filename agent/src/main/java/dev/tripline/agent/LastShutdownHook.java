package dev.tripline.agent;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Where the agent's exit work runs: after the application's shutdown hooks, not beside them. An
 * application hook ({@code Runtime.addShutdownHook}) runs on its own thread, concurrently with
 * every other; the agent's stop switches recording off, so as one of them it would leave unseen
 * whatever the application's hooks do meanwhile (a payload registers a hook and acts at exit). The
 * JDK's own shutdown sequence ({@code java.lang.Shutdown}) runs numbered system hooks one after
 * another: 0 the console, 1 all application hooks (started together, then joined), 2
 * delete-on-exit. The agent takes the last slot, {@value #SLOT}: everything the application's hooks
 * and its delete-on-exit files do is recorded, and sent by the agent's stop. The slot is taken
 * through the JDK's shared secrets ({@link ShutdownSlots}, JDK 12+), else through {@code
 * Shutdown.add} itself, package-private, for which {@code java.lang} is opened to the agent's
 * module ({@code BoundAddresses.open}). Where both fail (another JDK, the slot taken), the agent's
 * stop is an application hook as before, and says so.
 */
final class LastShutdownHook {
  /** The last of the JDK's ten system hook slots (0–2 are taken by the JDK itself). */
  static final int SLOT = 9;

  private LastShutdownHook() {}

  /** Registers {@code stop} to run after every application shutdown hook. */
  static void register(Runnable stop) {
    try {
      ShutdownSlots.add(SLOT, stop);
      return;
    } catch (LinkageError | RuntimeException e) {
      // JDK 11 (no jdk.internal.access) or no export: the method handle below
    }
    try {
      Class<?> shutdown = Class.forName("java.lang.Shutdown", false, null);
      MethodHandle add =
          MethodHandles.privateLookupIn(shutdown, MethodHandles.lookup())
              .findStatic(
                  shutdown,
                  "add",
                  MethodType.methodType(void.class, int.class, boolean.class, Runnable.class));
      add.invokeExact(SLOT, false, stop);
      return;
    } catch (Throwable e) { // invokeExact declares Throwable: any failure, the fallback below
      System.err.println(
          "[tripline] exit: the agent stops beside the application's shutdown hooks, not after"
              + " them (what they do may go unseen): "
              + e);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(stop, "tripline-shutdown"));
  }
}

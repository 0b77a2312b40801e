package dev.tripline.agent;

import java.util.function.BiConsumer;
import java.util.function.Consumer;
import jdk.internal.misc.Unsafe;

/**
 * Defines classes in the bootstrap loader with {@code jdk.internal.misc.Unsafe} (JDK 11–25),
 * called directly: compiled on its own against {@code java.base}'s internal package (the agent's
 * pom, execution {@code jdk-internal}), because a reflective call of {@code Unsafe} costs a JDK 18+
 * JVM ~20 ms of method-handle spinning on the application's start-up path (docs/benchmarks.md).
 *
 * <p>Loaded by {@code TriplineAgent}'s throwaway loader only (never by the application's loader:
 * premain refers to it by name alone), and {@code jdk.internal.misc} is exported to that loader's
 * unnamed module alone, so nothing else may link to {@code Unsafe} through it. premain reaches it
 * without core reflection too: initialising this class hands an instance to the loader that
 * defined it (a {@link Consumer} of it), and premain calls it as a {@link BiConsumer} of class
 * names and class files.
 */
@SuppressWarnings("unchecked")
public final class BootDefiner implements BiConsumer<String[], byte[][]> {
  static {
    ((Consumer<Object>) BootDefiner.class.getClassLoader()).accept(new BootDefiner());
  }

  private BootDefiner() {}

  /** Defines {@code classes[i]} as {@code names[i]} in the bootstrap loader, in order. */
  @Override
  public void accept(String[] names, byte[][] classes) {
    Unsafe unsafe = Unsafe.getUnsafe();
    for (int i = 0; i < names.length; i++) {
      unsafe.defineClass(names[i], classes[i], 0, classes[i].length, null, null);
    }
  }
}

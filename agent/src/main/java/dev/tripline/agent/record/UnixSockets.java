package dev.tripline.agent.record;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * The path of a Unix domain socket address; {@code java.net.UnixDomainSocketAddress} exists from
 * JDK 16, the agent runs on 11.
 */
final class UnixSockets {
  private static final @Nullable Class<?> ADDRESS = addressClass();
  private static final @Nullable MethodHandle GET_PATH = getPath();

  private UnixSockets() {}

  /**
   * The path of a Path, a UnixDomainSocketAddress or a path String; null for anything else (an Inet
   * address, null).
   */
  static @Nullable String path(@Nullable Object target) {
    if (target instanceof Path || target instanceof String) {
      return target.toString();
    }
    if (GET_PATH == null || ADDRESS == null || !ADDRESS.isInstance(target)) {
      return null;
    }
    try {
      return ((Path) GET_PATH.invokeExact(target)).toString();
    } catch (Throwable e) {
      return null;
    }
  }

  private static @Nullable Class<?> addressClass() {
    try {
      return Class.forName("java.net.UnixDomainSocketAddress", false, null);
    } catch (ClassNotFoundException e) {
      return null;
    }
  }

  private static @Nullable MethodHandle getPath() {
    try {
      return ADDRESS == null
          ? null
          : MethodHandles.publicLookup()
              .findVirtual(ADDRESS, "getPath", MethodType.methodType(Path.class))
              .asType(MethodType.methodType(Path.class, Object.class));
    } catch (ReflectiveOperationException e) {
      return null;
    }
  }
}

package dev.tripline.agent.instrument;

import dev.tripline.bootstrap.EarlyBuffer;
import dev.tripline.bootstrap.TriplineBridge;
import dev.tripline.bootstrap.TriplineDispatcher;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The agent's handle on the bridge's gate, which premain defined into a package of {@code
 * java.base} exported to this module (and the woven JDK modules) alone: the agent's own threads,
 * the canary, the hand-over. This module is closed, so nothing the application can reach holds
 * these handles. The gate is found by name in the boot loader, in the packages premain tries
 * ({@code TriplineAgentGate.PACKAGES}: no class can be defined into those but by {@code java.base}
 * itself); when the bridge is not in the boot loader at all (unit tests, no agent) the class-path
 * copy stands in.
 */
public final class Gate {
  private static final String[] PACKAGES = {"jdk.internal.event", "jdk.internal.vm"};
  private static final String SOURCE = "dev.tripline.bootstrap.TriplineGate";

  /** The gate's class. */
  private static final Class<?> TYPE = find();

  /** Its internal name, which the woven JDK code calls. */
  static final String INTERNAL_NAME = TYPE.getName().replace('.', '/');

  private static final MethodHandle TRUST =
      handle("trust", MethodType.methodType(EarlyBuffer.class, ClassLoader.class, boolean[].class));
  private static final MethodHandle SEAL =
      handle("seal", MethodType.methodType(void.class, TriplineDispatcher.class));
  private static final MethodHandle SEALED_TO =
      handle("sealedTo", MethodType.methodType(boolean.class, TriplineDispatcher.class));
  private static final MethodHandle MARK =
      handle("markAgentThread", MethodType.methodType(boolean.class));
  private static final MethodHandle OBSERVED =
      handle("observed", MethodType.methodType(void.class, Runnable.class));
  private static final MethodHandle ERRORS = handle("errors", MethodType.methodType(long.class));

  private Gate() {}

  /** The gate's package, which the weaver exports to each woven JDK module. */
  static String packageName() {
    return TYPE.getPackageName();
  }

  private static Class<?> find() {
    for (String p : PACKAGES) {
      try {
        return Class.forName(p + ".TriplineGate", false, null);
      } catch (ClassNotFoundException e) {
        // not defined there
      }
    }
    if (TriplineBridge.class.getClassLoader() == null) {
      throw new IllegalStateException("the bridge's gate is missing from java.base");
    }
    try {
      return Class.forName(SOURCE, false, TriplineBridge.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("the bridge's gate is missing", e);
    }
  }

  private static MethodHandle handle(String name, MethodType type) {
    try {
      return MethodHandles.lookup().findStatic(TYPE, name, type);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("the bridge's gate has no " + name + type, e);
    }
  }

  /**
   * Once, at {@code premain}: {@code agentLoader}'s frames may mark threads from now on, and the
   * bridge's public entry accepts the hook indexes {@code libraryIds} marks. Returns the buffer the
   * hooks report to until {@link #seal}; null if the gate trusts an agent already.
   */
  public static EarlyBuffer trust(ClassLoader agentLoader, boolean[] libraryIds) {
    try {
      return (EarlyBuffer) TRUST.invokeExact(agentLoader, libraryIds);
    } catch (Throwable e) {
      throw new IllegalStateException("the bridge's gate refused trust: " + e, e);
    }
  }

  /** Seals the recorder in, once. */
  public static void seal(TriplineDispatcher recorder) {
    try {
      SEAL.invokeExact(recorder);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /** True when {@code recorder} is the sealed dispatcher. */
  public static boolean sealedTo(TriplineDispatcher recorder) {
    try {
      return (boolean) SEALED_TO.invokeExact(recorder);
    } catch (Throwable e) {
      return false;
    }
  }

  /**
   * Marks the current thread as the agent's (none of its I/O is reported); false, and reported as
   * tampering, when code other than the JDK's and the agent's is on its stack.
   */
  public static boolean markAgentThread() {
    try {
      return (boolean) MARK.invokeExact();
    } catch (Throwable e) {
      return false;
    }
  }

  /** Runs {@code probe} counted as an application thread (the canary). */
  public static void observed(Runnable probe) {
    try {
      OBSERVED.invokeExact(probe);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /** Exceptions the dispatcher threw, caught by the gate. */
  public static long errors() {
    try {
      return (long) ERRORS.invokeExact();
    } catch (Throwable e) {
      return -1;
    }
  }
}

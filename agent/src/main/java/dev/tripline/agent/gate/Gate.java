package dev.tripline.agent.gate;

import dev.tripline.bootstrap.EarlyBuffer;
import dev.tripline.bootstrap.TriplineBridge;
import dev.tripline.bootstrap.TriplineDispatcher;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;

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
  public static final String INTERNAL_NAME = TYPE.getName().replace('.', '/');

  /**
   * The gate's methods, looked up on first use (on the agent's thread: premain's one call, {@link
   * #trust}, goes through the instance the gate's initializer hands over). Core reflection, not
   * method handles: these run a few times per heartbeat at most, and each call is access-checked
   * against its caller's module, so a {@code Method} read out of this class is of no use to the
   * application. On JDK 18+ each call shape's first run spins method-handle classes, off premain.
   */
  private static final class Calls {
    static final Method TRUST = method("trust", ClassLoader.class, boolean[][].class);
    static final Method SEAL = method("seal", TriplineDispatcher.class);
    static final Method SEALED_TO = method("sealedTo", TriplineDispatcher.class);
    static final Method MARK = method("markAgentThread");
    static final Method OBSERVED = method("observed", Runnable.class);
    static final Method ERRORS = method("errors");
    static final Method GUARD = method("guard", boolean.class);

    private Calls() {}
  }

  private Gate() {}

  /** The gate's package, which the weaver exports to each woven JDK module. */
  public static String packageName() {
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

  private static Method method(String name, Class<?>... parameters) {
    try {
      return TYPE.getMethod(name, parameters);
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException("the bridge's gate has no " + name, e);
    }
  }

  /** Calls a gate method; what it throws is thrown as it is. */
  private static Object call(Method m, Object... args) {
    try {
      return m.invoke(null, args);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      if (cause instanceof Error) {
        throw (Error) cause;
      }
      throw new IllegalStateException(cause);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("the bridge's gate is not exported to the agent", e);
    }
  }

  /**
   * Once, at {@code premain}: {@code agentLoader}'s frames may mark threads from now on, and the
   * bridge's public entry accepts the hook indexes {@code libraryIds} marks (its entry decision:
   * those {@code guardedLibraryIds} marks). Returns the buffer the hooks report to until {@link
   * #seal}; null if the gate trusts an agent already.
   */
  @SuppressWarnings("unchecked")
  public static EarlyBuffer trust(
      ClassLoader agentLoader, boolean[] libraryIds, boolean[] guardedLibraryIds) {
    boolean[][] ids = {libraryIds, guardedLibraryIds};
    Object handed = initialise();
    if (handed instanceof BiFunction) { // the gate's own instance: trust() through an interface
      return (EarlyBuffer)
          ((BiFunction<ClassLoader, boolean[][], Object>) handed).apply(agentLoader, ids);
    }
    return (EarlyBuffer) call(Calls.TRUST, agentLoader, ids); // initialised before, elsewhere
  }

  /**
   * Initialises the gate on this thread and takes what its initializer handed over ({@code
   * TriplineBridge.offerTrust}); null when it was initialised before.
   */
  private static @Nullable Object initialise() {
    try {
      Class.forName(TYPE.getName(), true, TYPE.getClassLoader());
    } catch (ClassNotFoundException e) {
      return null;
    }
    return TriplineBridge.takeTrust();
  }

  /** Seals the recorder in, once. */
  public static void seal(TriplineDispatcher recorder) {
    call(Calls.SEAL, recorder);
  }

  /** True when {@code recorder} is the sealed dispatcher. */
  public static boolean sealedTo(TriplineDispatcher recorder) {
    try {
      return (Boolean) call(Calls.SEALED_TO, recorder);
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * Marks the current thread as the agent's (none of its I/O is reported); false, and reported as
   * tampering, when code other than the JDK's and the agent's is on its stack.
   */
  public static boolean markAgentThread() {
    try {
      return (Boolean) call(Calls.MARK);
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Runs {@code probe} counted as an application thread (the canary). */
  public static void observed(Runnable probe) {
    call(Calls.OBSERVED, probe);
  }

  /**
   * Switches protect mode's entry decision of the guarded hooks on or off (the gate's one volatile
   * flag: off, a guarded call pays one read).
   */
  public static void guard(boolean on) {
    call(Calls.GUARD, on);
  }

  /** Exceptions the dispatcher threw, caught by the gate. */
  public static long errors() {
    try {
      return (Long) call(Calls.ERRORS);
    } catch (RuntimeException e) {
      return -1;
    }
  }
}

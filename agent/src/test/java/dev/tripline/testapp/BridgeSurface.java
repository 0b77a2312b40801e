package dev.tripline.testapp;

import java.io.FileInputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

/**
 * A payload working the bridge's own surface, on the thread that attacks afterwards: every public
 * method of every bridge class it can reach, called with hostile arguments (enter-like calls
 * without their exit, every array returned overwritten), every object reachable from the bridge's
 * fields used the same way; the gate the woven JDK code calls, by every door plain Java offers; and
 * stack overflows provoked inside hooked JDK calls (a bracket's exit that cannot run).
 */
final class BridgeSurface {
  private static final String PACKAGE = "dev.tripline.bootstrap.";
  private static final String[] CLASSES = {
    "TriplineBridge",
    "TriplineBridge$Port",
    "TriplineDispatcher",
    "EarlyBuffer",
    "EarlyBuffer$Observation",
    "EarlyBuffer$FirstFrames",
    "Counters",
    "AgentFrames",
    "TriplineGate",
  };

  private BridgeSurface() {}

  /** The gate, by name: loading a class is allowed to anyone; using it is not. */
  static Class<?> gate() throws ClassNotFoundException {
    for (String p : new String[] {"jdk.internal.event", "jdk.internal.vm"}) {
      try {
        return Class.forName(p + ".TriplineGate", false, null);
      } catch (ClassNotFoundException e) {
        // next
      }
    }
    throw new ClassNotFoundException("no gate in java.base");
  }

  static void everyPublicEntry() throws Exception {
    List<Object> reachable = new ArrayList<>();
    int calls = 0;
    int classes = 0;
    for (String simple : CLASSES) {
      Class<?> c;
      try {
        c = Class.forName(PACKAGE + simple, true, null);
      } catch (ClassNotFoundException e) {
        System.out.println("not in the boot loader: " + simple);
        continue;
      }
      classes++;
      for (Field f : c.getDeclaredFields()) { // the unnamed module is open: every field
        if (!Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive()) continue;
        try {
          f.setAccessible(true);
          Object v = f.get(null);
          if (bridgeObject(v)) reachable.add(v);
          System.out.println("read " + simple + "." + f.getName() + " = " + describe(v));
        } catch (RuntimeException e) {
          System.out.println("refused " + simple + "." + f.getName());
        }
      }
      for (Constructor<?> k : c.getDeclaredConstructors()) {
        try {
          k.setAccessible(true);
          Object made = k.newInstance(arguments(k.getParameterTypes(), 0));
          if (bridgeObject(made)) reachable.add(made);
        } catch (ReflectiveOperationException | RuntimeException e) {
          // abstract, or refused
        }
      }
      for (Method m : c.getMethods()) {
        if (!Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() != c) continue;
        calls += hammer(m, null, reachable);
      }
    }
    // every instance met: its public methods too (a dispatcher's observe, a buffer's drain...)
    for (int i = 0; i < reachable.size() && i < 100; i++) {
      Object o = reachable.get(i);
      for (Method m : o.getClass().getMethods()) {
        if (Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() == Object.class) continue;
        calls += hammer(m, o, reachable);
      }
      for (Class<?> itf : o.getClass().getInterfaces()) {
        for (Method m : itf.getMethods()) {
          calls += hammer(m, o, reachable);
        }
      }
    }
    System.out.println("bridge classes reached: " + classes + ", calls made: " + calls);
  }

  /**
   * Calls {@code m} many times with hostile arguments; overwrites every int array it returns (a
   * counter, if one were handed out) with the agent-thread mark and other values.
   */
  private static int hammer(Method m, Object target, List<Object> reachable) {
    int calls = 0;
    try {
      m.setAccessible(true);
    } catch (RuntimeException e) {
      return 0;
    }
    if (m.getName().equals("handOver")) {
      return 0; // only ever on a buffer of our own making (the agent's is out of reach): slow,
      // inert
    }
    for (int variant = 0; variant < 4; variant++) {
      for (int i = 0; i < 25; i++) {
        try {
          Object r = m.invoke(target, arguments(m.getParameterTypes(), variant));
          calls++;
          if (r instanceof int[]) {
            int[] d = (int[]) r;
            for (int k = 0; k < d.length; k++) d[k] = variant == 0 ? 1 << 20 : 7;
            System.out.println("ARRAY FROM " + m);
          } else if (bridgeObject(r) && reachable.size() < 100) {
            reachable.add(r);
          }
        } catch (InvocationTargetException | IllegalAccessException | RuntimeException e) {
          calls++;
        }
      }
    }
    return calls;
  }

  /** Hostile arguments: large, negative, the agent-thread mark, a dispatcher of our own. */
  private static Object[] arguments(Class<?>[] types, int variant) {
    Object[] args = new Object[types.length];
    for (int i = 0; i < types.length; i++) {
      Class<?> t = types[i];
      if (t == int.class) {
        args[i] = variant == 0 ? 1 << 20 : variant == 1 ? -1 : variant == 2 ? 0 : 3;
      } else if (t == long.class) {
        args[i] = (long) variant - 1;
      } else if (t == boolean.class) {
        args[i] = variant % 2 == 0;
      } else if (t == int[].class) {
        args[i] = new int[] {variant - 1, variant - 1};
      } else if (t.isInterface()) {
        args[i] =
            Proxy.newProxyInstance(
                BridgeSurface.class.getClassLoader(),
                new Class<?>[] {t},
                (proxy, method, a) -> null); // a dispatcher that swallows everything
      } else if (t == ClassLoader.class) {
        args[i] = BridgeSurface.class.getClassLoader();
      } else if (t == Object.class || t == String.class) {
        args[i] = variant == 3 ? null : "/etc/shadow";
      } else if (t == Throwable.class) {
        args[i] = variant == 1 ? new Error("x") : null;
      } else {
        args[i] = null;
      }
    }
    return args;
  }

  /**
   * An object of the bridge (its package, or the gate): the JDK's own objects met on the way (a
   * StackWalker, strings) are the JDK's surface, not the bridge's.
   */
  private static boolean bridgeObject(Object o) {
    return o != null
        && !(o instanceof Proxy)
        && (o.getClass().getName().startsWith(PACKAGE)
            || o.getClass().getName().endsWith(".TriplineGate"));
  }

  private static String describe(Object v) {
    return v == null ? "null" : v.getClass().getName();
  }

  /**
   * The gate the woven JDK code calls: found by name, but no door opens — a public method by
   * reflection, a method handle from our own lookup or the public one, {@code setAccessible} on its
   * fields and methods, a private lookup into it, and a lookup from a class of the bridge's own
   * (open) package.
   */
  static void intoTheGate() throws Exception {
    Class<?> gate = gate();
    System.out.println("gate found by name: " + gate.getName() + " in " + gate.getModule());
    try {
      Object d = gate.getMethod("enter").invoke(null);
      System.out.println("GATE ENTERED " + d);
    } catch (IllegalAccessException e) {
      System.out.println("gate enter refused: IllegalAccessException");
    }
    for (MethodHandles.Lookup lookup :
        new MethodHandles.Lookup[] {MethodHandles.lookup(), MethodHandles.publicLookup()}) {
      try {
        lookup.findStatic(gate, "enter", MethodType.methodType(int[].class));
        System.out.println("GATE HANDLE from " + lookup);
      } catch (IllegalAccessException e) {
        System.out.println("gate handle refused: IllegalAccessException");
      }
    }
    int refused = 0;
    for (java.lang.reflect.AccessibleObject o : gate.getDeclaredFields()) {
      refused += opens(o) ? 0 : 1;
    }
    for (java.lang.reflect.AccessibleObject o : gate.getDeclaredMethods()) {
      refused += opens(o) ? 0 : 1;
    }
    System.out.println("gate members refused setAccessible: " + refused);
    try {
      MethodHandles.privateLookupIn(gate, MethodHandles.lookup());
      System.out.println("GATE PRIVATE LOOKUP");
    } catch (IllegalAccessException e) {
      System.out.println("gate privateLookupIn refused: IllegalAccessException");
    }
    // The bridge's package is open: a private lookup into it works, and still cannot reach the
    // gate.
    MethodHandles.Lookup inBridge =
        MethodHandles.privateLookupIn(
            Class.forName(PACKAGE + "TriplineBridge", false, null), MethodHandles.lookup());
    try {
      inBridge.findStatic(gate, "markAgentThread", MethodType.methodType(boolean.class));
      System.out.println("GATE HANDLE from the bridge's package");
    } catch (IllegalAccessException e) {
      System.out.println("gate refused to the bridge's package: IllegalAccessException");
    }
  }

  private static boolean opens(java.lang.reflect.AccessibleObject o) {
    try {
      o.setAccessible(true);
      System.out.println("GATE MEMBER OPENED " + o);
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * Hooked JDK calls made with the stack nearly full, at every depth down to the overflow: wherever
   * a {@code StackOverflowError} strikes inside a bracket (its exit included), the thread must come
   * out of it.
   */
  static void overflowInsideHooks() {
    int overflows = 0;
    for (int round = 0; round < 40; round++) {
      overflows += dive(0, round);
    }
    System.out.println("overflows inside hooks: " + overflows);
  }

  @SuppressWarnings("InfiniteRecursion") // on purpose: down to the stack's end
  private static int dive(int depth, int pad) {
    try {
      return dive(depth + 1, pad);
    } catch (StackOverflowError e) {
      int n = 1;
      try {
        open(pad);
      } catch (StackOverflowError again) {
        n++;
      }
      return n;
    }
  }

  /** A failed open, {@code pad} frames further down. */
  private static void open(int pad) {
    if (pad > 0) {
      open(pad - 1);
      return;
    }
    try (FileInputStream in = new FileInputStream("/nonexistent/tripline-overflow")) {
      in.read();
    } catch (java.io.IOException expected) {
      // the open fails: the hook reports it when it can
    }
  }
}

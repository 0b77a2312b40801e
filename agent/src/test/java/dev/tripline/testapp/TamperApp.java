package dev.tripline.testapp;

import java.io.IOException;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * A payload inside the JVM trying to blind the agent with what plain reflection allows, then
 * attacking: {@code args[0]} names the blinding attempt, {@code args[1]} is a credential-like file
 * to read, {@code args[2]} the agent's events file. After the attack it waits (at most 60 s) until
 * the agent has written a heartbeat after the attack's shell spawn, so the test sees what the agent
 * said about it.
 */
public final class TamperApp {
  private static final String BRIDGE = "dev.tripline.bootstrap.TriplineBridge";

  public static void main(String[] args) throws Exception {
    String attempt = args[0];
    Path secret = Path.of(args[1]);
    Path events = Path.of(args[2]);
    waitFor(events, "\"kind\":\"AGENT_HEALTH\"", 0); // the agent runs: hand-over is done
    if (attempt.equals("nullDispatcher")) {
      nullDispatcher();
    } else if (attempt.equals("recorderOff")) {
      recorderOff(events);
    } else if (attempt.equals("markAgentThread")) {
      markAgentThread();
    } else if (attempt.equals("rename")) {
      rename();
    } else if (attempt.equals("instrumentation")) {
      instrumentation();
    } else if (attempt.equals("interrupt")) {
      interrupt();
    } else if (attempt.equals("module")) {
      intoTheModule();
    } else if (attempt.equals("threads")) {
      throughTheThreads();
    } else if (attempt.equals("bridgeSurface")) {
      BridgeSurface.everyPublicEntry();
    } else if (attempt.equals("gate")) {
      BridgeSurface.intoTheGate();
    } else if (attempt.equals("overflow")) {
      BridgeSurface.overflowInsideHooks();
    } else {
      throw new IllegalArgumentException(attempt);
    }
    attack(secret);
    int spawnLine = waitFor(events, "/bin/sh", 0);
    waitFor(events, "\"kind\":\"AGENT_HEALTH\"", spawnLine + 1);
    System.out.println("TAMPER DONE");
  }

  /** The attack the blinding was meant to hide: a credential read and a shell. */
  private static void attack(Path secret) throws Exception {
    System.out.println("read " + Files.readString(secret).length() + " chars");
    Process p = new ProcessBuilder("/bin/sh", "-c", "true").start();
    System.out.println("shell exited " + p.waitFor());
  }

  private static void nullDispatcher() throws Exception {
    Class<?> bridge = Class.forName(BRIDGE, false, null);
    try {
      bridge.getField("dispatcher").set(null, null);
      System.out.println("SET public dispatcher");
    } catch (NoSuchFieldException e) {
      System.out.println("no public dispatcher field");
    }
    // Every static field of every bridge class, private ones too (an unnamed module is open).
    for (String name :
        new String[] {
          BRIDGE,
          "dev.tripline.bootstrap.EarlyBuffer",
          BRIDGE + "$Port",
          BridgeSurface.gate().getName()
        }) {
      for (Field f : Class.forName(name, false, null).getDeclaredFields()) {
        if (!Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive()) {
          continue;
        }
        try {
          f.setAccessible(true);
          f.set(null, null);
          System.out.println("SET " + name + "." + f.getName());
        } catch (ReflectiveOperationException | RuntimeException e) {
          System.out.println("refused " + name + "." + f.getName() + ": " + e);
        }
      }
    }
  }

  /**
   * The agent's recorder, which the gate's dispatcher slot holds: out of reflection's reach (the
   * gate is in a closed package of java.base), so read with {@code sun.misc.Unsafe}, which ignores
   * modules.
   */
  private static Object recorder() throws Exception {
    Field live = BridgeSurface.gate().getDeclaredField("live");
    Class<?> unsafeType = Class.forName("sun.misc.Unsafe");
    Field theUnsafe = unsafeType.getDeclaredField("theUnsafe");
    theUnsafe.setAccessible(true);
    Object unsafe = theUnsafe.get(null);
    Object base = unsafeType.getMethod("staticFieldBase", Field.class).invoke(unsafe, live);
    long offset =
        (Long) unsafeType.getMethod("staticFieldOffset", Field.class).invoke(unsafe, live);
    return unsafeType
        .getMethod("getObjectVolatile", Object.class, long.class)
        .invoke(unsafe, base, offset);
  }

  /**
   * Deep reflection into the agent's own recorder (reachable through the sealed dispatcher) is
   * refused: the agent's module opens nothing. {@code sun.misc.Unsafe} is not refused: it switches
   * the recorder off, then the attack waits until the agent has reported a failed canary and a
   * later one has arrived again (the recorder healed).
   */
  private static void recorderOff(Path events) throws Exception {
    Object recorder = recorder();
    Field off = recorder.getClass().getDeclaredField("off");
    try {
      off.setAccessible(true);
      off.set(recorder, true);
      System.out.println("SET recorder.off by reflection");
    } catch (RuntimeException e) {
      System.out.println("setAccessible refused: " + e.getClass().getSimpleName());
    }
    // By name and reflection: the compiler would warn about an internal proprietary API.
    Class<?> unsafeType = Class.forName("sun.misc.Unsafe");
    Field theUnsafe = unsafeType.getDeclaredField("theUnsafe");
    theUnsafe.setAccessible(true);
    Object unsafe = theUnsafe.get(null);
    long offset = (Long) unsafeType.getMethod("objectFieldOffset", Field.class).invoke(unsafe, off);
    unsafeType
        .getMethod("putBooleanVolatile", Object.class, long.class, boolean.class)
        .invoke(unsafe, recorder, offset, true);
    System.out.println("SET recorder.off by Unsafe");
    int failed = waitFor(events, "\"canaryFailed\":1,", 0);
    int healed = waitFor(events, "\"canaryFailed\":1,", failed + 1);
    System.out.println("canary failed at line " + failed + ", heartbeat after it at " + healed);
  }

  /**
   * Every door into the agent's module that plain Java offers: deep reflection on an agent object,
   * a private lookup into its class or its loader's (which could define a class into the module),
   * the agent's classes by name through the application's loader, and its hand-over entry taken or
   * made a second time.
   */
  private static void intoTheModule() throws Exception {
    Object recorder = recorder();
    Class<?> type = recorder.getClass();
    System.out.println("recorder in " + type.getModule());
    for (Field f : type.getDeclaredFields()) {
      if (Modifier.isStatic(f.getModifiers())) continue;
      try {
        f.setAccessible(true);
        System.out.println("OPENED " + f.getName() + " = " + f.get(recorder));
      } catch (RuntimeException e) {
        System.out.println("setAccessible " + f.getName() + " refused: " + e.getClass().getName());
      }
    }
    for (Class<?> target : new Class<?>[] {type, type.getClassLoader().getClass()}) {
      try {
        java.lang.invoke.MethodHandles.privateLookupIn(
            target, java.lang.invoke.MethodHandles.lookup());
        System.out.println("PRIVATE LOOKUP IN " + target.getName());
      } catch (IllegalAccessException e) {
        System.out.println(
            "privateLookupIn " + target.getName() + " refused: IllegalAccessException");
      }
    }
    try {
      Class.forName(type.getName(), false, ClassLoader.getSystemClassLoader());
      System.out.println("FOUND " + type.getName() + " through the application's loader");
    } catch (ClassNotFoundException e) {
      System.out.println("not found through the application's loader: " + type.getName());
    }
    // The module's configuration was given, not resolved (JDK 12+): it requires nothing, its
    // layer's parent is the empty layer, and it reads java.base all the same.
    Module module = type.getModule();
    System.out.println(
        "module requires "
            + module.getDescriptor().requires()
            + ", parent layer empty "
            + module.getLayer().parents().equals(List.of(ModuleLayer.empty()))
            + ", reads java.base "
            + module.canRead(Object.class.getModule()));
    // The definers premain runs in throwaway loaders sit on the class path: through the
    // application's loader their initializers fail, and nothing internal is exported to it.
    for (String definer : new String[] {"BootDefiner", "ModuleDefiner"}) {
      try {
        Class.forName("dev.tripline.agent." + definer);
        System.out.println("INITIALISED " + definer);
      } catch (ExceptionInInitializerError | ClassNotFoundException e) {
        System.out.println(
            definer + " through the application's loader: " + e.getClass().getName());
      }
    }
    // The hand-over: premain took its entry off this very thread (the application's main thread
    // now), and the package of AgentStarter is exported and opened to no one.
    Object entry =
        Class.forName("dev.tripline.agent.config.AgentEntry").getMethod("take").invoke(null);
    System.out.println("hand-over slot: " + entry);
    // The gate's trust, handed to premain the same way on the same thread: gone too.
    Object trust = Class.forName(BRIDGE, false, null).getMethod("takeTrust").invoke(null);
    System.out.println("gate's trust slot: " + trust);
    try {
      Class<?> starter = type.getClassLoader().loadClass("dev.tripline.agent.AgentStarter");
      java.lang.reflect.Constructor<?> make = starter.getDeclaredConstructor();
      make.setAccessible(true);
      starter
          .getMethod(
              "start",
              java.lang.instrument.Instrumentation.class,
              Class.forName("dev.tripline.agent.config.AgentConfig"),
              long.class,
              long.class,
              long.class)
          .invoke(make.newInstance(), null, null, 0L, 0L, 0L);
      System.out.println("STARTED A SECOND AGENT");
    } catch (java.lang.reflect.InvocationTargetException e) {
      System.out.println("second start refused: " + e.getCause());
    } catch (RuntimeException | IllegalAccessException e) {
      System.out.println("second start refused: " + e.getClass().getName());
    }
  }

  /**
   * The agent's threads are reachable ({@code Thread.getAllStackTraces}): their {@code Runnable}
   * and thread-locals are {@code java.lang.Thread}'s private fields, closed by the JDK.
   */
  private static void throughTheThreads() {
    int refused = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (!t.getName().startsWith("tripline-") && !t.getName().startsWith("kafka-producer")) {
        continue;
      }
      for (Field f : Thread.class.getDeclaredFields()) {
        if (Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive()) continue;
        try {
          f.setAccessible(true);
          System.out.println("OPENED " + t.getName() + " " + f.getName() + " = " + f.get(t));
        } catch (RuntimeException | IllegalAccessException e) {
          refused++;
        }
      }
    }
    System.out.println("thread fields refused: " + refused);
  }

  private static void markAgentThread() throws Exception {
    try {
      Class.forName(BRIDGE, false, null).getMethod("markAgentThread");
      System.out.println("MARK ON THE BRIDGE");
    } catch (NoSuchMethodException e) {
      System.out.println("no markAgentThread on the bridge");
    }
    try {
      Object marked = BridgeSurface.gate().getMethod("markAgentThread").invoke(null);
      System.out.println("GATE MARKED " + marked);
    } catch (IllegalAccessException e) {
      System.out.println("gate markAgentThread refused: IllegalAccessException");
    }
  }

  /**
   * Renamed as the agent's Kafka thread, then a lookup and a connect (where the name was checked).
   */
  private static void rename() throws Exception {
    Thread.currentThread().setName("kafka-producer-network-thread | tripline");
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
      System.out.println("connected " + s.isConnected());
    }
    try {
      InetAddress.getAllByName("tripline-tamper.invalid");
    } catch (IOException expected) {
      System.out.println("lookup failed as expected");
    }
  }

  /**
   * Walks every object reachable from the bridge's static fields (and the static fields of every
   * class whose instance is met), by reflection, looking for an Instrumentation.
   */
  private static void instrumentation() throws Exception {
    Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Set<Class<?>> classes = Collections.newSetFromMap(new IdentityHashMap<>());
    ArrayDeque<Object> todo = new ArrayDeque<>();
    Class<?> bridge = Class.forName(BRIDGE, false, null);
    for (Class<?> c : bridge.getDeclaredClasses()) {
      statics(c, todo, classes);
    }
    statics(bridge, todo, classes);
    Object found = null;
    while (!todo.isEmpty() && seen.size() < 500_000 && found == null) {
      Object o = todo.poll();
      if (o == null || !seen.add(o)) {
        continue;
      }
      if (o instanceof java.lang.instrument.Instrumentation) {
        found = o;
        break;
      }
      Class<?> c = o.getClass();
      if (c.isArray()) {
        if (!c.getComponentType().isPrimitive()) {
          for (int i = 0; i < Array.getLength(o); i++) todo.add(Array.get(o, i));
        }
        continue;
      }
      if (o instanceof Class) {
        statics((Class<?>) o, todo, classes);
        continue;
      }
      if (o instanceof ClassLoader) {
        continue; // its classes are met through their instances and Class objects
      }
      statics(c, todo, classes);
      for (Class<?> k = c; k != null; k = k.getSuperclass()) {
        for (Field f : k.getDeclaredFields()) {
          if (Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive()) continue;
          try {
            f.setAccessible(true);
            todo.add(f.get(o));
          } catch (RuntimeException | IllegalAccessException e) {
            // a JDK class: not open to us
          }
        }
      }
    }
    if (found != null) {
      java.lang.instrument.Instrumentation inst = (java.lang.instrument.Instrumentation) found;
      inst.retransformClasses(Class.forName("java.io.FileInputStream"), ProcessBuilder.class);
      System.out.println("INSTRUMENTATION FOUND and used");
    } else {
      System.out.println("instrumentation not found in " + seen.size() + " objects");
    }
    try {
      Class.forName("jdk.internal.misc.Unsafe").getMethod("getUnsafe").invoke(null);
      System.out.println("INTERNAL UNSAFE REACHED");
    } catch (IllegalAccessException | RuntimeException e) {
      System.out.println("internal Unsafe refused: " + e.getClass().getSimpleName());
    }
  }

  private static void statics(Class<?> c, ArrayDeque<Object> todo, Set<Class<?>> done) {
    if (!done.add(c)) return;
    for (Field f : c.getDeclaredFields()) {
      if (!Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive()) continue;
      try {
        f.setAccessible(true);
        todo.add(f.get(null));
      } catch (RuntimeException | IllegalAccessException | LinkageError e) {
        // not open to us
      }
    }
  }

  private static void interrupt() {
    int n = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("tripline-")) {
        t.interrupt();
        n++;
      }
    }
    System.out.println("interrupted " + n + " agent threads");
  }

  /**
   * Waits (at most 150 s) until a line from {@code from} on contains {@code text}; returns its
   * index, or -1.
   */
  private static int waitFor(Path file, String text, int from) throws Exception {
    long deadline = System.nanoTime() + 150_000_000_000L; // a loaded machine: generous
    while (System.nanoTime() < deadline) {
      if (Files.exists(file)) {
        java.util.List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = from; i < lines.size(); i++) {
          if (lines.get(i).contains(text)) return i;
        }
      }
      Thread.sleep(50);
    }
    return -1;
  }
}

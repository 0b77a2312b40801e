package dev.tripline.agent;

import dev.tripline.agent.config.AgentConfig;
import dev.tripline.agent.config.AgentEntry;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import org.jspecify.annotations.Nullable;

/**
 * {@code -javaagent} entry point. Does the least it can on the application's start-up path: defines
 * the bridge in the bootstrap loader, then hands over to {@link AgentStarter}, which weaves and
 * returns. Any failure is one line on stderr and the application starts as if the agent were
 * absent.
 *
 * <p>This class must not reference {@code dev.tripline.bootstrap} types: they have to be loaded by
 * the bootstrap loader, after {@link #defineBridge}, never by the application class loader.
 */
public final class TriplineAgent {
  /**
   * The classes woven code calls (module {@code agent-bootstrap}), defined in the bootstrap loader
   * so that {@code java.*} code can see them. Supertypes first: each is resolved as it is defined.
   */
  static final String[] BRIDGE_CLASSES = {
    "dev/tripline/bootstrap/TriplineDispatcher",
    "dev/tripline/bootstrap/TriplineBridge",
    "dev/tripline/bootstrap/TriplineBridge$Port",
    "dev/tripline/bootstrap/Counters",
    "dev/tripline/bootstrap/AgentFrames",
    "dev/tripline/bootstrap/EarlyBuffer",
    "dev/tripline/bootstrap/EarlyBuffer$Observation",
    "dev/tripline/bootstrap/EarlyBuffer$FirstFrames",
  };

  private TriplineAgent() {}

  public static void premain(String args, Instrumentation inst) {
    start(inst);
  }

  public static void agentmain(String args, Instrumentation inst) {
    start(inst);
  }

  private static void start(Instrumentation inst) {
    long t0 = System.nanoTime();
    try {
      String unsupported = unsupportedReason();
      if (unsupported != null) {
        System.err.println(
            "[tripline] agent disabled: " + unsupported + "; the application runs without it");
        return;
      }
      // The module's layer needs nothing of the configuration or the bridge: its cold start runs
      // beside theirs, on a thread of its own. Configuration next: a mistake it cannot work around
      // leaves no trace in the JVM beyond its lines (the layer, if defined, is dropped unused:
      // nothing holds it, nothing is exported or opened to it).
      AgentModule.Pending module = AgentModule.Pending.start(inst);
      AgentConfig config;
      try {
        config = AgentConfig.load();
      } catch (AgentConfig.ConfigException e) {
        module.drop();
        throw e;
      }
      if (!config.enabled()) {
        module.drop();
        return;
      }
      for (String warning : config.warnings()) {
        System.err.println("[tripline] " + warning);
      }
      long t1 = System.nanoTime();
      defineBridge(inst); // and the gate with it, when it can
      // the brackets and the dispatcher, out of the application's reach (TriplineAgentGate)
      Class<?> gate = TriplineAgentGate.define(inst, bridgeModule());
      long bridge = System.nanoTime() - t1;
      AgentModule.JdkPreload.whileWaiting(module);
      ClassLoader loader = isolatedLoader(module);
      String starter = "dev.tripline.agent.AgentStarter";
      TriplineAgentGate.exportTo(inst, gate, Class.forName(starter, false, loader).getModule());
      // Initialising AgentStarter offers its entry on this thread (AgentEntry): no reflective call
      Class.forName(starter, true, loader);
      AgentEntry entry = AgentEntry.take();
      if (entry == null) {
        throw new IllegalStateException("the agent was started already");
      }
      try {
        entry.start(inst, config, t0, bridge, module.nanos());
      } catch (RuntimeException e) {
        System.err.println(
            "[tripline] agent disabled: " + e.getMessage() + "; the application runs without it");
      }
    } catch (AgentConfig.ConfigException e) {
      for (String warning : e.warnings()) {
        System.err.println("[tripline] " + warning);
      }
      System.err.println(
          "[tripline] agent disabled: " + e.getMessage() + "; the application runs without it");
    } catch (Throwable e) {
      System.err.println("[tripline] agent disabled: " + e + "; the application runs without it");
    }
  }

  private static @Nullable String unsupportedReason() {
    String spec = System.getProperty("java.specification.version", "");
    try {
      int major = Integer.parseInt(spec.startsWith("1.") ? spec.substring(2) : spec);
      if (major < 11) {
        return "Java " + spec + " is not supported (11 or newer is)";
      }
    } catch (NumberFormatException e) {
      return "unknown Java version '" + spec + "'";
    }
    String os = System.getProperty("os.name", "");
    return os.toLowerCase(java.util.Locale.ROOT).contains("linux")
        ? null
        : "only Linux is supported (this is " + os + ")";
  }

  /** The boot loader's unnamed module, where the bridge classes are. */
  private static Module bridgeModule() throws ClassNotFoundException {
    return Class.forName(BRIDGE_CLASSES[0].replace('/', '.'), false, null).getModule();
  }

  /**
   * The loader of the agent's own module (see {@link AgentModule}); this class's loader when run
   * unpacked. The bridge is defined by now: the module reads the bootstrap loader's unnamed module.
   */
  private static ClassLoader isolatedLoader(AgentModule.Pending module)
      throws IOException, ClassNotFoundException, InterruptedException {
    ClassLoader isolated = module.loader(bridgeModule());
    return isolated != null ? isolated : TriplineAgent.class.getClassLoader();
  }

  /**
   * Defines the bridge classes in the bootstrap loader without touching its search path: appending
   * a jar there makes the JVM switch class-data sharing off for every class not loaded by the
   * bootstrap loader ("Sharing is only supported for boot loader classes because bootstrap
   * classpath has been appended"), so a large application would start slower even after the agent
   * is done. {@code jdk.internal.misc.Unsafe.defineClass} (JDK 11–25) with a null loader does it;
   * its package is opened to this class alone, through the Instrumentation the JVM gave us. If that
   * fails, the appended jar is the fallback.
   */
  static void defineBridge(Instrumentation inst) throws IOException, ReflectiveOperationException {
    try {
      defineInBootLoader(inst);
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      appendBridgeJar(inst);
    }
    for (String name : BRIDGE_CLASSES) {
      Class<?> c = Class.forName(name.replace('/', '.'), false, null);
      if (c.getClassLoader() != null) {
        throw new IllegalStateException(
            "bridge class loaded outside the bootstrap loader: " + name);
      }
    }
  }

  /**
   * {@code jdk.internal.misc} is exported to a throwaway loader's unnamed module only, not to this
   * class's: this class is loaded by the application class loader, whose unnamed module is the
   * whole class path, and an export can never be taken back. The throwaway loader defines one small
   * class ({@link BootDefiner}, from this jar's bytes) that does the defining; nothing keeps the
   * loader afterwards, so no code can reach the module that holds the export (and the JVM drops the
   * edge with the loader).
   */
  private static void defineInBootLoader(Instrumentation inst)
      throws IOException, ReflectiveOperationException {
    List<String> missing = new ArrayList<>();
    for (String name : BRIDGE_CLASSES) {
      try {
        Class.forName(name.replace('/', '.'), false, null);
      } catch (ClassNotFoundException e) {
        missing.add(name); // not there yet (a second attach finds them defined)
      }
    }
    if (missing.isEmpty()) {
      return;
    }
    String[] names = new String[missing.size()];
    byte[][] bytes = new byte[missing.size()][];
    for (int i = 0; i < names.length; i++) {
      names[i] = missing.get(i).replace('/', '.');
      bytes[i] = bridgeClass(missing.get(i));
    }
    @SuppressWarnings("unchecked")
    BiConsumer<String[], byte[][]> define =
        (BiConsumer<String[], byte[][]>)
            Throwaway.handOver(inst, "dev.tripline.agent.BootDefiner", "jdk.internal.misc");
    define.accept(names, bytes);
    Module javaBase = Object.class.getModule();
    // The gate, by the same definer: a class the boot loader defines in a package of java.base is
    // java.base's. java.base reads the bridge's module first (the gate implements its dispatcher).
    // If this fails, TriplineAgentGate.define defines it the other way (a private lookup).
    String gate = TriplineAgentGate.target();
    if (gate != null) {
      try {
        inst.redefineModule(
            javaBase, Set.of(bridgeModule()), Map.of(), Map.of(), Set.of(), Map.of());
        byte[] gateBytes = TriplineAgentGate.renamedBytes(gate.substring(0, gate.lastIndexOf('.')));
        define.accept(new String[] {gate}, new byte[][] {gateBytes});
      } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
        // left to TriplineAgentGate.define
      }
    }
  }

  /**
   * A loader for one class, dropped once it has run: {@link BootDefiner} here, {@code
   * ModuleDefiner} for {@link AgentModule}. The one JDK-internal package that class calls is
   * exported to this loader's unnamed module alone, and the class's initializer hands this loader
   * an instance of itself (a {@link Consumer}), so premain calls it through a JDK interface, never
   * by reflection.
   */
  static final class Throwaway extends ClassLoader implements Consumer<Object> {
    private @Nullable Object handed;

    private Throwaway(String name) {
      super(name, ClassLoader.getPlatformClassLoader());
    }

    /**
     * Defines {@code className} (this jar's bytes; by name: never loaded by premain's loader) in a
     * throwaway loader, exports {@code java.base}'s {@code internalPackage} to that loader alone,
     * initialises the class and returns the instance it handed over.
     */
    static Object handOver(Instrumentation inst, String className, String internalPackage)
        throws IOException, ClassNotFoundException {
      byte[] bytes = bridgeClass(className.replace('.', '/'));
      Throwaway loader =
          new Throwaway("tripline-" + className.substring(className.lastIndexOf('.') + 1));
      loader.defineClass(className, bytes, 0, bytes.length);
      inst.redefineModule(
          Object.class.getModule(),
          Set.of(),
          Map.of(internalPackage, Set.of(loader.getUnnamedModule())),
          Map.of(),
          Set.of(),
          Map.of());
      Class.forName(className, true, loader);
      Object instance = loader.handed;
      if (instance == null) {
        throw new IllegalStateException(className + " did not hand itself over");
      }
      return instance;
    }

    @Override
    public void accept(Object instance) {
      handed = instance;
    }
  }

  private static byte[] bridgeClass(String name) throws IOException {
    byte[] bytes = AgentModule.premainEntry(name + ".class");
    if (bytes == null) {
      throw new IOException("agent jar is incomplete: " + name + ".class is missing");
    }
    return bytes;
  }

  /** The fallback: the bridge classes in a small jar appended to the bootstrap search path. */
  private static void appendBridgeJar(Instrumentation inst) throws IOException {
    File jar = File.createTempFile("tripline-bootstrap", ".jar");
    jar.deleteOnExit();
    try (JarOutputStream out = new JarOutputStream(new FileOutputStream(jar))) {
      for (String name : BRIDGE_CLASSES) {
        out.putNextEntry(new JarEntry(name + ".class"));
        out.write(bridgeClass(name));
        out.closeEntry();
      }
    }
    inst.appendToBootstrapClassLoaderSearch(new JarFile(jar));
  }
}

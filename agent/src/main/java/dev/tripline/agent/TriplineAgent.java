package dev.tripline.agent;

import dev.tripline.agent.config.AgentConfig;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;

/**
 * {@code -javaagent} entry point. Does the least it can on the application's start-up path: puts
 * the bridge on the bootstrap class path, then hands over to {@link AgentStarter}. Any failure is
 * one line on stderr and the application starts as if the agent were absent.
 *
 * <p>This class must not reference {@code dev.tripline.bootstrap} types: they have to be loaded by
 * the bootstrap loader, after {@link #injectBridge}, never by the application class loader.
 */
public final class TriplineAgent {
  /** Classes the advice calls; they go to the bootstrap class path so {@code java.*} code can see them. */
  static final String[] BRIDGE_CLASSES = {
      "dev/tripline/bootstrap/TriplineDispatcher",
      "dev/tripline/bootstrap/TriplineBridge",
      "dev/tripline/bootstrap/TriplineBridge$DepthLocal",
  };

  private TriplineAgent() {}

  public static void premain(String args, Instrumentation inst) {
    start(inst);
  }

  public static void agentmain(String args, Instrumentation inst) {
    start(inst);
  }

  private static void start(Instrumentation inst) {
    try {
      String unsupported = unsupportedReason();
      if (unsupported != null) {
        System.err.println("[tripline] agent disabled: " + unsupported + "; the application runs without it");
        return;
      }
      // Configuration first: a mistake it cannot work around must leave no trace in the JVM beyond its lines.
      AgentConfig config = AgentConfig.load();
      if (!config.enabled()) {
        return;
      }
      for (String warning : config.warnings()) {
        System.err.println("[tripline] " + warning);
      }
      long t0 = System.nanoTime();
      injectBridge(inst);
      if (config.debug()) {
        System.err.println("[tripline] bridge on the bootstrap class path in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
      }
      Class.forName("dev.tripline.agent.AgentStarter", true, isolatedLoader())
          .getMethod("start", Instrumentation.class, AgentConfig.class)
          .invoke(null, inst, config);
    } catch (AgentConfig.ConfigException e) {
      for (String warning : e.warnings()) {
        System.err.println("[tripline] " + warning);
      }
      System.err.println("[tripline] agent disabled: " + e.getMessage() + "; the application runs without it");
    } catch (java.lang.reflect.InvocationTargetException e) {
      System.err.println("[tripline] agent disabled: " + e.getCause().getMessage() + "; the application runs without it");
    } catch (Throwable e) {
      System.err.println("[tripline] agent disabled: " + e + "; the application runs without it");
    }
  }

  private static String unsupportedReason() {
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
    return os.toLowerCase(java.util.Locale.ROOT).contains("linux") ? null : "only Linux is supported (this is " + os + ")";
  }

  /** The agent's own loader over the {@code inst/} part of its jar; this one when run unpacked. */
  private static ClassLoader isolatedLoader() throws IOException, java.net.URISyntaxException {
    File location = new File(TriplineAgent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    AgentClassLoader isolated = AgentClassLoader.ifPacked(location, TriplineAgent.class.getClassLoader());
    return isolated != null ? isolated : TriplineAgent.class.getClassLoader();
  }

  /** Copies the bridge classes into a small jar appended to the bootstrap search path. */
  static void injectBridge(Instrumentation inst) throws IOException, ClassNotFoundException {
    File jar = File.createTempFile("tripline-bootstrap", ".jar");
    jar.deleteOnExit();
    try (JarOutputStream out = new JarOutputStream(new FileOutputStream(jar))) {
      for (String name : BRIDGE_CLASSES) {
        try (InputStream in = TriplineAgent.class.getClassLoader().getResourceAsStream(name + ".class")) {
          if (in == null) {
            throw new IOException("agent jar is incomplete: " + name + ".class is missing");
          }
          out.putNextEntry(new JarEntry(name + ".class"));
          in.transferTo(out);
          out.closeEntry();
        }
      }
    }
    inst.appendToBootstrapClassLoaderSearch(new JarFile(jar));
    for (String name : BRIDGE_CLASSES) {
      Class<?> c = Class.forName(name.replace('/', '.'), true, null);
      if (c.getClassLoader() != null) {
        throw new IllegalStateException("bridge class loaded outside the bootstrap loader: " + name);
      }
    }
  }
}

package dev.tripline.agent;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import java.util.Collections;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.jspecify.annotations.Nullable;

/**
 * The agent's own class loader. Everything the agent runs on (its pipeline and the relocated
 * ByteBuddy, Kafka client, protobuf, Caffeine, Micrometer) is stored in the jar under {@code inst/}
 * as {@code .classdata}, so the application's class loaders, class-path scanners and ServiceLoader
 * lookups never see it; only this loader defines it. Its parent is the platform loader: the agent
 * sees the JDK and the bootstrap bridge, never the application's classes.
 */
final class AgentClassLoader extends ClassLoader {
  static final String PREFIX = "inst/";

  /** Shared with premain (which validated the configuration before this loader existed). */
  private static final String SHARED = "dev.tripline.agent.config.";

  static {
    registerAsParallelCapable();
  }

  private final JarFile jar;
  private final String jarUrl;
  private final ProtectionDomain domain;
  private final ClassLoader premainLoader;

  /**
   * The loader over a packed agent jar, or null when {@code file} is not one (run from a classes
   * directory, as unit tests and IDEs do: the classes are then on the premain loader already).
   */
  static @Nullable AgentClassLoader ifPacked(File file, ClassLoader premainLoader)
      throws IOException {
    if (!file.isFile()) {
      return null;
    }
    JarFile jar = new JarFile(file, false);
    if (jar.getEntry(PREFIX + "dev/tripline/agent/AgentStarter.classdata") == null) {
      jar.close();
      return null;
    }
    return new AgentClassLoader(jar, file, premainLoader);
  }

  private AgentClassLoader(JarFile jar, File agentJar, ClassLoader premainLoader)
      throws IOException {
    super("tripline-agent", ClassLoader.getPlatformClassLoader());
    this.jar = jar;
    URL url = agentJar.toURI().toURL();
    this.jarUrl = url.toString();
    this.domain = new ProtectionDomain(new CodeSource(url, (Certificate[]) null), null, this, null);
    this.premainLoader = premainLoader;
  }

  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    if (name.equals("sun.misc.Unsafe")) {
      // Hidden from the bundled libraries: protobuf and lz4 then take their safe code paths, and
      // JDK 24+ prints no "terminally deprecated method in sun.misc.Unsafe" warning into the
      // application's output on our behalf (both libraries treat a missing Unsafe as supported).
      throw new ClassNotFoundException(name);
    }
    if (name.startsWith(SHARED)) {
      return premainLoader.loadClass(name);
    }
    return super.loadClass(name, resolve);
  }

  @Override
  protected Class<?> findClass(String name) throws ClassNotFoundException {
    JarEntry entry = jar.getJarEntry(PREFIX + name.replace('.', '/') + ".classdata");
    if (entry == null) {
      throw new ClassNotFoundException(name);
    }
    byte[] bytes;
    try (InputStream in = jar.getInputStream(entry)) {
      bytes = in.readAllBytes();
    } catch (IOException e) {
      throw new ClassNotFoundException(name, e);
    }
    int dot = name.lastIndexOf('.');
    if (dot > 0 && getDefinedPackage(name.substring(0, dot)) == null) {
      try {
        definePackage(name.substring(0, dot), null, null, null, null, null, null, null);
      } catch (IllegalArgumentException raced) {
        // another thread defined it first
      }
    }
    return defineClass(name, bytes, 0, bytes.length, domain);
  }

  /**
   * Resources, class files included (ByteBuddy reads advice bytecode this way), from {@code inst/}.
   */
  @Override
  protected @Nullable URL findResource(String name) {
    String path = name.startsWith("/") ? name.substring(1) : name;
    String entry =
        PREFIX
            + (path.endsWith(".class")
                ? path.substring(0, path.length() - 6) + ".classdata"
                : path);
    if (jar.getEntry(entry) == null) {
      return null;
    }
    try {
      return new URL("jar:" + jarUrl + "!/" + entry);
    } catch (MalformedURLException e) {
      return null;
    }
  }

  @Override
  protected Enumeration<URL> findResources(String name) {
    URL url = findResource(name);
    return url == null
        ? Collections.emptyEnumeration()
        : Collections.enumeration(Collections.singletonList(url));
  }
}

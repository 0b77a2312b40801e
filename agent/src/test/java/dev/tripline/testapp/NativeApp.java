package dev.tripline.testapp;

import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.ProtocolFamily;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/**
 * What a payload inside the JVM does to get below the agent's hooks, with only what a payload has
 * ({@code sun.misc.Unsafe}, reflection, JNI). Each step prints a line the test waits for. Usage:
 * NativeApp &lt;work dir&gt; &lt;payload .so or "-"&gt;
 */
public final class NativeApp {
  /** Read by the payload's JNI_OnLoad: where to connect and what to open. */
  static int port;

  static String secret;

  private NativeApp() {}

  public static void main(String[] args) throws Throwable {
    Path work = Path.of(args[0]);
    Files.createDirectories(work);
    MethodHandles.Lookup impl = implLookup();
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      port = server.getLocalPort();
      System.out.println("server port " + port);
      awaitAgent();
      spawnThroughConstructor(impl);
      connectThroughNet(impl, port);
      server.accept().close();
      Path secretFile = work.resolve("secret.txt");
      Files.writeString(secretFile, "s3cr3t");
      secret = secretFile.toString();
      openThroughDispatcher(impl, work.resolve("dispatcher.txt"));
      if (!"-".equals(args[1])) {
        Thread acceptor = new Thread(() -> acceptOne(server));
        acceptor.start();
        System.load(args[1]);
        acceptor.join(30_000);
        System.out.println("payload loaded");
      }
    }
    Path data = work.resolve("data.txt");
    Files.writeString(data, "x");
    fromJarAtRunTime(work, data);
    fromBytes(data);
    fromHiddenClass(data);
    System.out.println("NATIVEAPP DONE");
  }

  /**
   * Waits until the agent has written its first events (the listen above): its recorder is built,
   * so what follows is recorded live, as it would be long after start-up. Polls the file's size
   * (stat, not an open).
   */
  static void awaitAgent() throws InterruptedException {
    String sink = System.getProperty("tripline.sink", "");
    if (!sink.startsWith("jsonl:")) {
      return;
    }
    Path events = Path.of(sink.substring("jsonl:".length()));
    long deadline = System.nanoTime() + 150_000_000_000L; // a loaded machine: generous
    while (System.nanoTime() < deadline) {
      try {
        if (Files.size(events) > 0) {
          return;
        }
      } catch (IOException e) {
        // not created yet
      }
      Thread.sleep(20);
    }
    System.out.println("the agent wrote nothing in 150 s");
  }

  /** How a payload gets the JDK's all-powerful lookup: Unsafe reads the static field. */
  static MethodHandles.Lookup implLookup() throws ReflectiveOperationException {
    Class<?> unsafeType = Class.forName("sun.misc.Unsafe");
    Field theUnsafe = unsafeType.getDeclaredField("theUnsafe");
    theUnsafe.setAccessible(true);
    Object unsafe = theUnsafe.get(null);
    Field f = MethodHandles.Lookup.class.getDeclaredField("IMPL_LOOKUP");
    Object base = unsafeType.getMethod("staticFieldBase", Field.class).invoke(unsafe, f);
    long offset = (long) unsafeType.getMethod("staticFieldOffset", Field.class).invoke(unsafe, f);
    return (MethodHandles.Lookup)
        unsafeType.getMethod("getObject", Object.class, long.class).invoke(unsafe, base, offset);
  }

  /** new ProcessImpl(prog, argBlock, …): a child process without ProcessImpl.start. */
  static void spawnThroughConstructor(MethodHandles.Lookup impl) throws Throwable {
    MethodHandle ctor =
        impl.findConstructor(
            Class.forName("java.lang.ProcessImpl"),
            MethodType.methodType(
                void.class,
                byte[].class,
                byte[].class,
                int.class,
                byte[].class,
                int.class,
                byte[].class,
                int[].class,
                boolean.class,
                boolean.class));
    Process p =
        (Process)
            ctor.invoke(
                "/bin/echo\0".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                "below-the-hooks\0".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                1,
                (byte[]) null,
                0,
                (byte[]) null,
                new int[] {-1, -1, -1},
                false,
                false);
    System.out.println("constructor spawn exited " + p.waitFor());
    // the same, with an environment block the payload wrote itself: LD_PRELOAD of its choice
    Process withEnv =
        (Process)
            ctor.invoke(
                "/bin/echo\0".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                "below-the-hooks-env\0".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                1,
                "LD_PRELOAD=/tmp/below.so\0TZ=UTC\0"
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8),
                2,
                "/\0".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                new int[] {-1, -1, -1},
                false,
                false);
    System.out.println("constructor spawn with env exited " + withEnv.waitFor());
  }

  /** sun.nio.ch.Net.connect0 on a socket of its own: a connect without Net.connect. */
  static void connectThroughNet(MethodHandles.Lookup impl, int port) throws Throwable {
    Class<?> net = Class.forName("sun.nio.ch.Net");
    FileDescriptor fd =
        (FileDescriptor)
            impl.findStatic(
                    net,
                    "socket",
                    MethodType.methodType(
                        FileDescriptor.class, ProtocolFamily.class, boolean.class))
                .invoke(StandardProtocolFamily.INET, true);
    int r =
        (int)
            impl.findStatic(
                    net,
                    "connect0",
                    MethodType.methodType(
                        int.class,
                        boolean.class,
                        FileDescriptor.class,
                        InetAddress.class,
                        int.class))
                .invoke(false, fd, InetAddress.getLoopbackAddress(), port);
    System.out.println("connect0 returned " + r);
  }

  /** sun.nio.fs.UnixNativeDispatcher.open: open(2) without any channel. */
  static void openThroughDispatcher(MethodHandles.Lookup impl, Path file) throws Throwable {
    Files.writeString(file, "d");
    Class<?> dispatcher = Class.forName("sun.nio.fs.UnixNativeDispatcher");
    Class<?> unixPath = Class.forName("sun.nio.fs.UnixPath");
    int fd =
        (int)
            impl.findStatic(
                    dispatcher,
                    "open",
                    MethodType.methodType(int.class, unixPath, int.class, int.class))
                .invoke(file, 0, 0);
    System.out.println("dispatcher open fd " + (fd >= 0));
  }

  /** Called by the payload's JNI_OnLoad, inside System.load: Java I/O, which must be seen. */
  static void fromOnLoad() throws IOException, InterruptedException {
    new ProcessBuilder("/bin/echo", "from-jni-onload").start().waitFor();
    System.out.println("onload callback ran");
  }

  private static void acceptOne(ServerSocket server) {
    try (Socket s = server.accept()) {
      System.out.println("native connect accepted, sent " + (char) s.getInputStream().read());
    } catch (IOException e) {
      System.out.println("no native connect: " + e);
    }
  }

  /** A provider jar dropped into a directory and loaded: the jar is a new code origin. */
  static void fromJarAtRunTime(Path work, Path data) throws Exception {
    Path jar = work.resolve("providers").resolve("provider.jar");
    Files.createDirectories(jar.getParent());
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      out.putNextEntry(new JarEntry("dev/tripline/testapp/PluginIo.class"));
      out.write(classBytes());
      out.closeEntry();
    }
    Files.writeString(Path.of(data + ".jar-io"), "j");
    // parent: the platform loader, so the class comes from the jar, not from the class path
    try (URLClassLoader loader =
        new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
      Class<?> c = Class.forName("dev.tripline.testapp.PluginIo", true, loader);
      c.getMethod("run", String.class).invoke(null, data + ".jar-io");
      System.out.println("jar class ran from " + c.getProtectionDomain().getCodeSource());
    }
  }

  /** A class defined from bytes, no code source (a memory-resident filter's way in). */
  static void fromBytes(Path data) throws Exception {
    Files.writeString(Path.of(data + ".bytes-io"), "b");
    BytesLoader loader = new BytesLoader();
    Class<?> c = loader.define(classBytes());
    c.getMethod("run", String.class).invoke(null, data + ".bytes-io");
    System.out.println("bytes class ran, code source " + c.getProtectionDomain().getCodeSource());
  }

  /** The same bytes as a hidden class of this package (Lookup.defineHiddenClass, JDK 15+). */
  static void fromHiddenClass(Path data) throws Throwable {
    Files.writeString(Path.of(data + ".hidden-io"), "h");
    Files.writeString(Path.of(data + ".spoof-io"), "s");
    Class<?> optionType;
    try {
      optionType = Class.forName("java.lang.invoke.MethodHandles$Lookup$ClassOption");
    } catch (ClassNotFoundException e) {
      System.out.println("no hidden classes before JDK 15");
      return;
    }
    Object options = java.lang.reflect.Array.newInstance(optionType, 1);
    java.lang.reflect.Array.set(
        options, 0, optionType.getMethod("valueOf", String.class).invoke(null, "NESTMATE"));
    Method define =
        MethodHandles.Lookup.class.getMethod(
            "defineHiddenClass", byte[].class, boolean.class, options.getClass());
    MethodHandles.Lookup lookup =
        (MethodHandles.Lookup) define.invoke(MethodHandles.lookup(), classBytes(), true, options);
    Class<?> hidden = lookup.lookupClass();
    lookup
        .findStatic(hidden, "run", MethodType.methodType(int.class, String.class))
        .invoke(data + ".hidden-io");
    System.out.println("hidden class ran: " + hidden.getName());
    // The same, named like a lambda proxy: a name is no proof of forwarding only.
    MethodHandles.Lookup spoof =
        (MethodHandles.Lookup)
            define.invoke(MethodHandles.lookup(), classBytes("Spoof$$Lambda"), true, options);
    spoof
        .findStatic(spoof.lookupClass(), "run", MethodType.methodType(int.class, String.class))
        .invoke(data + ".spoof-io");
    System.out.println("spoofed lambda ran: " + spoof.lookupClass().getName());
  }

  static byte[] classBytes() throws IOException {
    return classBytes("PluginIo");
  }

  static byte[] classBytes(String simpleName) throws IOException {
    try (InputStream in =
        NativeApp.class.getResourceAsStream("/dev/tripline/testapp/" + simpleName + ".class")) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      in.transferTo(out);
      return out.toByteArray();
    }
  }

  /** defineClass without a protection domain: the class has no code source location. */
  static final class BytesLoader extends ClassLoader {
    BytesLoader() {
      super(ClassLoader.getPlatformClassLoader());
    }

    Class<?> define(byte[] b) {
      return defineClass("dev.tripline.testapp.PluginIo", b, 0, b.length);
    }
  }
}

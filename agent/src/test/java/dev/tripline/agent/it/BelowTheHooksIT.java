package dev.tripline.agent.it;

import static dev.tripline.agent.it.AgentRun.callSite;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tripline.kafka.Patience;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;

/**
 * A payload inside the JVM goes below the hooks ({@code dev.tripline.testapp.NativeApp}): a spawn
 * through ProcessImpl's constructor and a connect through Net.connect0 via IMPL_LOOKUP, open(2)
 * through UnixNativeDispatcher, a native library whose JNI_OnLoad acts in C and calls back into
 * Java, a jar loaded at run time, a class from bytes and a hidden class doing I/O. Each is reported
 * once, with the payload's code as the call site.
 */
class BelowTheHooksIT {
  private static final String APP = "dev.tripline.testapp.NativeApp";

  @OnEveryJdk
  void whatAPayloadDoesBelowTheHooksIsStillReported(Path java, @TempDir Path work)
      throws Exception {
    Path so = payload(java, work.resolve("build"));
    Path files = work.resolve("files");
    AgentRun run =
        AgentRun.testApp(java, work, APP, List.of(), files.toString(), so.toString())
            .assertFinished("NATIVEAPP DONE");

    // ProcessImpl's constructor via IMPL_LOOKUP: one spawn, the payload's frame as call site
    List<Map<String, Object>> spawn =
        ofKind(
            run,
            "PROCESS_SPAWN",
            e -> List.of("/bin/echo", "below-the-hooks").equals(e.get("argv")));
    assertEquals(1, spawn.size(), run.toString());
    assertSite(spawn.get(0), "spawnThroughConstructor");
    assertEquals(1L, spawn.get(0).get("count"), "one fork, counted once: " + spawn.get(0));
    assertFalse(spawn.get(0).containsKey("env"), "it inherits the JVM's: " + spawn.get(0));
    // with an environment block of its own: its LD_PRELOAD is in the event, as for start()
    Map<String, Object> withEnv =
        one(
            run,
            "PROCESS_SPAWN",
            e -> List.of("/bin/echo", "below-the-hooks-env").equals(e.get("argv")));
    assertSite(withEnv, "spawnThroughConstructor");
    assertEquals(List.of("LD_PRELOAD=/tmp/below.so"), withEnv.get("env"), withEnv.toString());

    // Net.connect0 via IMPL_LOOKUP, to the app's own server
    int port = port(run);
    List<Map<String, Object>> connects =
        ofKind(run, "NET_CONNECT", e -> Long.valueOf(port).equals(e.get("port")));
    assertEquals(1, connects.size(), run.toString());
    assertSite(connects.get(0), "connectThroughNet");
    assertEquals(Boolean.TRUE, connects.get(0).get("success"), connects.toString());

    // open(2) through UnixNativeDispatcher.open
    Map<String, Object> open =
        one(
            run,
            "FILE_READ",
            e -> files.resolve("dispatcher.txt").toString().equals(e.get("path")));
    assertSite(open, "openThroughDispatcher");

    // the native library: its load, with the loader and the code that loaded it
    assertTrue(run.output.contains("native connect accepted, sent N"), "the payload ran: " + run);
    String library = so.toRealPath().toString();
    Map<String, Object> load = one(run, "NATIVE_LOAD", e -> library.equals(pathOrReal(e)));
    assertSite(load, "main");
    assertTrue(String.valueOf(load.get("loader")).contains("AppClassLoader"), load.toString());
    assertEquals(Boolean.TRUE, load.get("writableDir"), "built in a temp dir: " + load);
    // JNI_OnLoad's call back into Java runs inside the load: its spawn is still reported
    Map<String, Object> fromOnLoad =
        one(
            run,
            "PROCESS_SPAWN",
            e -> List.of("/bin/echo", "from-jni-onload").equals(e.get("argv")));
    assertSite(fromOnLoad, "fromOnLoad");

    // a jar loaded at run time: a code origin, and its class's I/O names that jar
    Path jar = files.resolve("providers/provider.jar");
    Map<String, Object> origin = one(run, "CODE_ORIGIN", e -> jar.toString().equals(e.get("path")));
    assertEquals("jar", origin.get("origin"), origin.toString());
    assertSite(origin, "fromJarAtRunTime");
    Map<String, Object> jarIo =
        one(run, "FILE_READ", e -> (files.resolve("data.txt") + ".jar-io").equals(e.get("path")));
    assertEquals(
        "dev.tripline.testapp.PluginIo", callSite(jarIo).get("className"), jarIo.toString());
    assertEquals("provider.jar", callSite(jarIo).get("jarName"), jarIo.toString());
    assertFalse(callSite(jarIo).containsKey("origin"), "a jar on disk: " + jarIo);

    // a class from bytes without a code source: the I/O is its own, with no origin on disk
    Map<String, Object> bytesIo =
        one(run, "FILE_READ", e -> (files.resolve("data.txt") + ".bytes-io").equals(e.get("path")));
    assertEquals(
        "dev.tripline.testapp.PluginIo", callSite(bytesIo).get("className"), bytesIo.toString());
    assertEquals("defined", callSite(bytesIo).get("origin"), bytesIo.toString());
    assertEquals("", callSite(bytesIo).get("jarName"), bytesIo.toString());
    Map<String, Object> defined = one(run, "CODE_ORIGIN", e -> "defined".equals(e.get("origin")));
    assertEquals("dev.tripline.testapp.PluginIo", defined.get("className"), defined.toString());
    assertTrue(
        String.valueOf(defined.get("definedBy")).contains("NativeApp$BytesLoader"),
        defined.toString());

    // a hidden class: the I/O is the hidden class's, not its caller's
    if (run.output.contains("hidden class ran")) {
      Map<String, Object> hiddenIo =
          one(
              run,
              "FILE_READ",
              e -> (files.resolve("data.txt") + ".hidden-io").equals(e.get("path")));
      String cls = String.valueOf(callSite(hiddenIo).get("className"));
      assertTrue(cls.startsWith("dev.tripline.testapp.PluginIo/"), hiddenIo.toString());
      assertEquals("hidden", callSite(hiddenIo).get("origin"), hiddenIo.toString());
      Map<String, Object> hidden =
          one(
              run,
              "CODE_ORIGIN",
              e ->
                  "hidden".equals(e.get("origin"))
                      && String.valueOf(e.get("className"))
                          .startsWith("dev.tripline.testapp.PluginIo/"));
      assertEquals(cls, hidden.get("className"), hidden.toString());
      assertEquals(
          "dev.tripline.testapp.NativeApp (testapp.jar)",
          hidden.get("definedBy"),
          hidden.toString());
      // named like a lambda proxy, but not the nestmate of a host of that name: not skipped
      assertTrue(run.output.contains("spoofed lambda ran"), run.output);
      Map<String, Object> spoofIo =
          one(
              run,
              "FILE_READ",
              e -> (files.resolve("data.txt") + ".spoof-io").equals(e.get("path")));
      assertTrue(
          String.valueOf(callSite(spoofIo).get("className"))
              .startsWith("dev.tripline.testapp.Spoof$$Lambda/"),
          spoofIo.toString());
      assertEquals("hidden", callSite(spoofIo).get("origin"), spoofIo.toString());
    }
    // lambdas are not code from nowhere: nothing else is flagged
    assertEquals(
        List.of(),
        run.events.stream()
            .filter(e -> callSite(e) != null && callSite(e).containsKey("origin"))
            .filter(
                e ->
                    !String.valueOf(callSite(e).get("className"))
                            .startsWith("dev.tripline.testapp.PluginIo")
                        && !String.valueOf(callSite(e).get("className"))
                            .startsWith("dev.tripline.testapp.Spoof$$Lambda/"))
            .collect(Collectors.toList()));
  }

  /** Compiles the payload with the machine's C compiler against {@code java}'s JNI headers. */
  private static Path payload(Path java, Path dir) throws Exception {
    Files.createDirectories(dir);
    Path src = dir.resolve("payload.c");
    try (InputStream in = BelowTheHooksIT.class.getResourceAsStream("/native/payload.c")) {
      Files.write(src, in.readAllBytes());
    }
    Path home = java.toRealPath().getParent().getParent();
    Path so = dir.resolve("libpayload.so");
    Process cc;
    try {
      cc =
          new ProcessBuilder(
                  "cc",
                  "-shared",
                  "-fPIC",
                  "-I" + home.resolve("include"),
                  "-I" + home.resolve("include/linux"),
                  "-o",
                  so.toString(),
                  src.toString())
              .redirectErrorStream(true)
              .start();
    } catch (java.io.IOException e) {
      assumeTrue(false, "no C compiler (cc) on this machine: the native load is not tested");
      throw e;
    }
    String out = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(cc.waitFor(Patience.FORKED_RUN.toSeconds(), TimeUnit.SECONDS), "cc did not finish");
    assertEquals(0, cc.exitValue(), "cc failed:\n" + out);
    return so;
  }

  private static int port(AgentRun run) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("server port (\\d+)").matcher(run.output);
    assertTrue(m.find(), run.output);
    return Integer.parseInt(m.group(1));
  }

  private static String pathOrReal(Map<String, Object> e) {
    Object real = e.get("realPath");
    return String.valueOf(real != null ? real : e.get("path"));
  }

  private static List<Map<String, Object>> ofKind(
      AgentRun run, String kind, Predicate<Map<String, Object>> which) {
    return run.ofKind(kind).stream().filter(which).collect(Collectors.toList());
  }

  private static Map<String, Object> one(
      AgentRun run, String kind, Predicate<Map<String, Object>> which) {
    List<Map<String, Object>> found = ofKind(run, kind, which);
    assertEquals(1, found.size(), kind + " once:\n" + run);
    return found.get(0);
  }

  private static void assertSite(Map<String, Object> event, String method) {
    Map<String, Object> site = callSite(event);
    assertEquals(APP, site.get("className"), event.toString());
    assertEquals(method, site.get("methodName"), event.toString());
  }
}

package dev.tripline.agent.it;

import static dev.tripline.agent.it.AgentRun.callSite;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;

/** The real agent jar in real JVMs, on every JDK of this machine. */
class AgentIT {
  private static final String APP = "dev.tripline.testapp.IoApp";

  @OnEveryJdk
  void everyKindOfIoIsSeenWithItsCallSiteAndJar(Path java, @TempDir Path work) throws Exception {
    Path files = work.resolve("files");
    AgentRun run =
        AgentRun.testApp(java, work, APP, List.of("-Dtripline.debug=true"), files.toString())
            .assertFinished("IOAPP DONE");
    assertTrue(
        run.output.contains("connect refused as expected"),
        "the application still sees its own exceptions");
    assertTrue(
        run.output.matches("(?s).*\\[tripline] hooks applied (\\d+)/\\1; events seen.*"),
        "every hook was woven on this JDK:\n" + run.output);

    expect(run, "NET_LISTEN", "listen", e -> "127.0.0.1".equals(e.get("ip")));
    expect(
        run,
        "NET_CONNECT",
        "socketConnect",
        e -> "localhost".equals(e.get("host")) && Boolean.TRUE.equals(e.get("success")));
    expect(run, "NET_CONNECT", "channelConnect", e -> "127.0.0.1".equals(e.get("ip")));
    expect(run, "NET_CONNECT", "nonBlockingConnect", e -> true);
    expect(run, "NET_CONNECT", "asyncConnect", e -> true);
    expect(
        run,
        "NET_CONNECT",
        "refusedConnect",
        e ->
            Boolean.FALSE.equals(e.get("success"))
                && "java.net.ConnectException".equals(e.get("error")));
    expect(run, "NET_CONNECT", "httpClients", e -> true);
    expect(run, "NET_ACCEPT", "acceptLoop", e -> "127.0.0.1".equals(e.get("ip")));
    // new Socket("localhost", …) resolved the name first; later lookups of it are folded into that
    // record
    expect(
        run,
        "DNS_LOOKUP",
        "socketConnect",
        e -> "localhost".equals(e.get("query")) && !((List<?>) e.get("resolvedIps")).isEmpty());
    expect(
        run,
        "DNS_LOOKUP",
        "dnsLookups",
        e ->
            "nonexistent.invalid".equals(e.get("query"))
                && "java.net.UnknownHostException".equals(e.get("error")));
    expect(
        run,
        "DATAGRAM",
        "datagram",
        e -> Long.valueOf(8125).equals(e.get("port")) && "udp".equals(e.get("protocol")));
    expect(run, "FILE_WRITE", "javaIoFiles", path(files.resolve("io.txt")));
    expect(run, "FILE_READ", "javaIoFiles", path(files.resolve("io.txt")));
    expect(run, "FILE_WRITE", "javaIoFiles", path(files.resolve("raf.bin")));
    expect(run, "FILE_WRITE", "nioFiles", path(files.resolve("nio.txt")));
    expect(run, "FILE_READ", "nioFiles", path(files.resolve("nio.txt")));
    expect(run, "FILE_WRITE", "nioFiles", path(files.resolve("channel.bin")));
    expect(
        run,
        "FILE_RENAME",
        "deletesAndRenames",
        e -> files.resolve("new-name.txt").toString().equals(e.get("newPath")));
    expect(
        run,
        "FILE_RENAME",
        "deletesAndRenames",
        e -> files.resolve("moved.txt").toString().equals(e.get("newPath")));
    expect(run, "FILE_DELETE", "deletesAndRenames", path(files.resolve("moved.txt")));
    expect(run, "FILE_DELETE", "deletesAndRenames", path(files.resolve("nio.txt")));
    // Canonical targets: what the kernel opened, with the string as given beside it.
    Map<String, Object> traversal =
        expect(run, "FILE_READ", "traversalRead", path(Path.of("/etc/passwd")));
    assertTrue(
        String.valueOf(traversal.get("requestedPath")).startsWith(files.resolve("data") + "/../"),
        traversal.toString());
    assertFalse(traversal.containsKey("realPath"), "no link on the way: " + traversal);
    Map<String, Object> dot = expect(run, "FILE_READ", "dotRead", path(Path.of("/etc/hostname")));
    assertEquals("/etc/./hostname", dot.get("requestedPath"));
    Map<String, Object> link =
        expect(run, "FILE_READ", "symlinkRead", path(files.resolve("innocent.txt")));
    assertEquals("/etc/hostname", link.get("realPath"), link.toString());
    assertFalse(link.containsKey("requestedPath"), "given as it is reported: " + link);
    Map<String, Object> relative =
        expect(run, "FILE_READ", "relativeRead", path(files.resolve("relative.txt")));
    assertTrue(
        run.output.contains("relative path " + relative.get("requestedPath") + "\n"),
        relative.toString());
    assertFalse(String.valueOf(relative.get("requestedPath")).startsWith("/"), relative.toString());
    // Unix domain sockets: the path is the target, "unix" the protocol.
    assertTrue(run.output.contains("unix sockets done"), run.output);
    Predicate<Map<String, Object>> dockerSock =
        e ->
            "unix".equals(e.get("protocol"))
                && files.resolve("docker.sock").toString().equals(e.get("path"));
    expect(run, "NET_LISTEN", "unixListen", dockerSock);
    expect(
        run,
        "NET_CONNECT",
        "unixConnect",
        dockerSock.and(e -> Boolean.TRUE.equals(e.get("success"))));
    expect(run, "NET_ACCEPT", "unixAccept", dockerSock);
    expect(
        run,
        "PROCESS_SPAWN",
        "spawnProcesses",
        e ->
            e.get("argv")
                .equals(
                    List.of(
                        "/bin/echo",
                        "--password",
                        "<redacted>",
                        "db_token=<redacted>",
                        "https://bob:<redacted>@example.org/x")));
    expect(run, "PROCESS_SPAWN", "spawnProcesses", e -> "/bin/true".equals(e.get("executable")));
    Map<String, Object> virtual =
        expect(run, "FILE_READ", "lambda$virtualThreadRead$", path(files.resolve("virtual.txt")));
    if (run.output.contains("virtual thread ran")) {
      assertEquals(
          Boolean.TRUE, virtual.get("virtualThread"), "JDK 21+: the read ran on a virtual thread");
    }

    long reads =
        run.ofKind("FILE_READ").stream()
            .filter(path(files.resolve("io.txt")))
            .mapToLong(e -> (Long) e.get("count"))
            .sum();
    assertEquals(201, reads, "201 reads of io.txt, folded into counts:\n" + run);
    long readRecords =
        run.ofKind("FILE_READ").stream().filter(path(files.resolve("io.txt"))).count();
    // one first occurrence plus a folded record per flush window the 201 reads span (more on a
    // loaded machine)
    assertTrue(
        readRecords <= 5, "repeats are folded, not sent one by one: " + readRecords + " records");

    // A second call site for a known target is found by sampling repeats, and counts are moved, not
    // doubled.
    expect(run, "FILE_READ", "readShared", path(files.resolve("shared.txt")));
    expect(run, "FILE_READ", "readSharedElsewhere", path(files.resolve("shared.txt")));
    // Not only the first repeat of a window: new code right after the service's own reads (issue
    // 22).
    expect(run, "FILE_READ", "readKnownFromNewCode", path(files.resolve("known.txt")));
    long sharedReads =
        run.ofKind("FILE_READ").stream()
            .filter(path(files.resolve("shared.txt")))
            .mapToLong(e -> (Long) e.get("count"))
            .sum();
    assertEquals(1110, sharedReads, "every read counted once:\n" + run);

    for (Map<String, Object> e : run.events) {
      if ("AGENT_HEALTH".equals(e.get("kind"))) continue;
      assertFalse(
          String.valueOf(e.get("path")).endsWith("events.jsonl"),
          "the agent never reports its own output: " + e);
      assertFalse(
          String.valueOf(callSite(e).get("className")).startsWith("dev.tripline.agent"),
          "no agent frames: " + e);
      assertFalse(
          String.valueOf(e.get("thread")).startsWith("tripline-"), "no agent threads: " + e);
    }
  }

  @OnEveryJdk
  void aMistypedKeyIsOneClearLineAndTheApplicationRunsOn(Path java, @TempDir Path work)
      throws Exception {
    AgentRun run = ioApp(java, work, "-Dtripline.flush.intervall=1s");
    assertEquals(
        List.of(
            "[tripline] configuration key 'tripline.flush.intervall' is unknown "
                + "(did you mean 'tripline.flush.interval'?); ignored"),
        agentLines(run));
    assertFalse(
        run.events.isEmpty(), "the agent carries on with the default (AgentConfigIT has the rest)");
  }

  @OnEveryJdk
  void aSecondCopyOfTheAgentStaysOffAndTheFirstRunsOn(Path java, @TempDir Path work)
      throws Exception {
    AgentRun run = ioApp(java, work, "-javaagent:" + AgentRun.agentJar().toAbsolutePath());
    assertEquals(
        List.of(
            "[tripline] a second copy of the agent stays off; the first one runs on (attached"
                + " twice?)"),
        agentLines(run));
    assertFalse(run.events.isEmpty(), "the first copy reports");
  }

  /** The I/O test application run to its end with one more JVM argument. */
  private static AgentRun ioApp(Path java, Path work, String jvmArg) throws Exception {
    return AgentRun.testApp(java, work, APP, List.of(jvmArg), work.resolve("files").toString())
        .assertFinished("IOAPP DONE");
  }

  /** What the agent printed: its lines only. */
  private static List<String> agentLines(AgentRun run) {
    return run.output.lines().filter(l -> l.contains("[tripline]")).collect(Collectors.toList());
  }

  @OnEveryJdk
  void anApplicationWithItsOwnKafkaProtobufCaffeineAndByteBuddyRunsUnchanged(
      Path java, @TempDir Path work) throws Exception {
    Path libs = Path.of(System.getProperty("tripline.applibs", "target/app-libs"));
    String cp;
    try (Stream<Path> jars = Files.list(libs)) {
      cp =
          Stream.concat(Stream.of(AgentRun.testAppJar()), jars.sorted())
              .map(Path::toString)
              .collect(Collectors.joining(":"));
    }
    AgentRun run =
        AgentRun.run(
                java,
                work,
                cp,
                "dev.tripline.testapp.LibApp",
                List.of(),
                work.resolve("out.bin").toString())
            .assertFinished("LIBAPP DONE");
    assertTrue(run.output.contains("kafka-clients 3.9.1 from kafka-clients-3.9.1.jar"), run.output);
    assertTrue(run.output.contains("protobuf from protobuf-java-3.25.5.jar"), run.output);
    assertTrue(run.output.contains("caffeine from caffeine-2.9.3.jar"), run.output);
    assertTrue(run.output.contains("byte-buddy from byte-buddy-1.14.19.jar"), run.output);
    assertFalse(run.output.contains("[tripline]"), run.output);
    assertFalse(run.output.contains("agent class visible"), run.output);
    expect(run, "FILE_WRITE", "main", path(work.resolve("out.bin")));
  }

  @OnEveryJdk
  void ioDoneByJndiDeserializationOrAnXmlEntityCarriesThatContext(Path java, @TempDir Path work)
      throws Exception {
    Path files = work.resolve("files");
    AgentRun run =
        AgentRun.testApp(java, work, "dev.tripline.testapp.ContextApp", List.of(), files.toString())
            .assertFinished("CONTEXTAPP DONE");
    assertTrue(run.output.contains("entity expanded: true"), run.toString());
    Matcher port = Pattern.compile("jndi port (\\d+)").matcher(run.output);
    assertTrue(port.find(), run.output);

    Map<String, Object> callback =
        expect(
            run,
            "NET_CONNECT",
            "jndiLookup",
            e -> Long.valueOf(port.group(1)).equals(e.get("port")));
    String jndi = context(callback, "jndi");
    assertTrue(jndi.startsWith("javax.naming.") || jndi.startsWith("com.sun.jndi."), jndi);
    Map<String, Object> gadget =
        expect(run, "FILE_WRITE", "readObject", path(files.resolve("gadget.out")));
    assertEquals(
        "java.io.ObjectInputStream.readObject",
        context(gadget, "deserialization"),
        "the outermost frame");
    Map<String, Object> entity = expect(run, "FILE_READ", "xxe", path(Path.of("/etc/hostname")));
    assertTrue(
        context(entity, "xml-entity")
            .startsWith("com.sun.org.apache.xerces.internal.impl.XMLEntityManager."),
        entity.toString());
    Map<String, Object> plain =
        expect(run, "FILE_WRITE", "plainWrite", path(files.resolve("plain.out")));
    assertFalse(plain.containsKey("contexts"), "plain I/O has no context: " + plain);
  }

  /** The frame of the event's context of this category; fails when there is none. */
  @SuppressWarnings("unchecked")
  private static String context(Map<String, Object> event, String category) {
    List<Map<String, Object>> contexts =
        (List<Map<String, Object>>) event.getOrDefault("contexts", List.of());
    return contexts.stream()
        .filter(c -> category.equals(c.get("category")))
        .map(c -> (String) c.get("frame"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + category + " context: " + event));
  }

  private static Predicate<Map<String, Object>> path(Path p) {
    return e -> p.toString().equals(e.get("path"));
  }

  /**
   * Finds the event of this kind from this method of the test app, attributed to the test app's
   * jar.
   */
  private static Map<String, Object> expect(
      AgentRun run, String kind, String method, Predicate<Map<String, Object>> match) {
    List<Map<String, Object>> found =
        run.ofKind(kind).stream()
            .filter(
                e ->
                    method.endsWith("$")
                        ? String.valueOf(callSite(e).get("methodName")).startsWith(method)
                        : method.equals(callSite(e).get("methodName")))
            .filter(match)
            .collect(Collectors.toList());
    assertFalse(found.isEmpty(), "no " + kind + " from " + method + " matching:\n" + run);
    Map<String, Object> site = callSite(found.get(0));
    assertTrue(
        String.valueOf(site.get("className")).startsWith("dev.tripline.testapp."), site.toString());
    assertEquals("testapp.jar", site.get("jarName"), "the jar the call site came from");
    assertTrue(((Long) site.get("lineNumber")) > 0, site.toString());
    return found.get(0);
  }
}

package dev.tripline.collector.attack;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldif.LDIFException;
import dev.tripline.agent.it.Jdks;
import dev.tripline.collector.alert.OcsfJson;
import dev.tripline.collector.api.AnalystBackend;
import dev.tripline.collector.cli.AlertText;
import dev.tripline.collector.pipeline.DetectionPipeline;
import dev.tripline.collector.pipeline.PipelineFixtures;
import dev.tripline.kafka.EmbeddedKafka;
import dev.tripline.kafka.KafkaBroker;
import dev.tripline.kafka.Patience;
import dev.tripline.model.Alert;
import dev.tripline.model.AlertReason;
import dev.tripline.model.CodeContext;
import dev.tripline.model.ProfileState;
import dev.tripline.model.RequestContext;
import dev.tripline.model.ServiceProfile;
import dev.tripline.model.Severity;
import dev.tripline.vulnapp.VulnerableApp;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11's attack suite: the real agent in a forked JVM running {@link VulnerableApp} on the real
 * vulnerable libraries (log4j-core 2.14.1, commons-collections 3.2.1), its events through a real
 * broker into the real collector pipeline. Each attack must raise its alert with the right severity
 * and context frame while the profile is LEARNING, and again once it is MONITORING; a normal replay
 * after learning must raise none. On every JDK of this machine.
 */
@ExtendWith(KafkaBroker.class)
class AttackSuiteIT {
  private static final Duration WAIT = Patience.WAIT;

  /** One attack: what the alert must say. */
  record Expected(
      String name, String rule, Severity severity, String context, Predicate<Alert> is) {}

  static List<Expected> expected(Path work, int ldapPort) {
    return List.of(
        new Expected(
            "log4shell",
            "jndi-reach-out",
            Severity.CRITICAL,
            "jndi",
            a -> a.getNormalizedTarget().equals("127.0.0.1:" + ldapPort)),
        new Expected(
            "gadget",
            "gadget-spawn",
            Severity.CRITICAL,
            "deserialization",
            a -> a.getEvent().getProcess().getExecutable().endsWith("touch")),
        new Expected(
            "traversal",
            "credential-file",
            Severity.HIGH,
            null,
            a ->
                a.getTitle()
                    .contains("(requested as " + work + "/app/data/../../home/.aws/credentials)")),
        new Expected(
            "dot-slash",
            "credential-file",
            Severity.HIGH,
            null,
            a -> a.getTitle().contains("(requested as " + work + "/home/.aws/./credentials)")),
        new Expected(
            "symlink",
            "credential-file",
            Severity.HIGH,
            null,
            a -> a.getTitle().contains("(requested as " + work + "/app/data/innocent.txt)")),
        new Expected(
            "etc-shadow",
            "credential-file",
            Severity.HIGH,
            null,
            a ->
                a.getTitle()
                    .startsWith(
                        "Credentials file accessed: /etc/shadow (requested as /tmp/../etc/./shadow)")),
        new Expected(
            "xxe",
            "xxe-read",
            Severity.HIGH,
            "xml-entity",
            a -> a.getTitle().contains(": " + work.resolve("app/secret.txt") + " via ")),
        new Expected(
            "docker-socket",
            "container-socket",
            Severity.CRITICAL,
            null,
            a ->
                a.getTitle()
                    .equals(
                        "Container runtime socket contacted: unix:"
                            + work.resolve("run/docker.sock"))));
  }

  @Test
  void everyAttackIsCaughtWhileLearningAndMonitoringAndTheNormalReplayIsQuiet(
      EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
    Path agent = agentJar(dir);
    // Learning ends when the test says so (an analyst's SET_MONITORING), never by a clock: a 2 s
    // learning period was missed on a loaded machine (the attacks then judged while MONITORING).
    try (PipelineFixtures f =
            new PipelineFixtures(kafka, dir.resolve("collector"), 1, "learning.period", "1h");
        DetectionPipeline pipeline =
            f.pipeline(dir.resolve("state").toString(), new SimpleMeterRegistry());
        Servers servers = new Servers(dir.resolve("work"))) {
      // The JDKs run side by side (their own service each): the suite's time is mostly waiting.
      List<Path> jdks = Jdks.all();
      ExecutorService pool = Executors.newFixedThreadPool(jdks.size());
      try {
        List<Future<?>> runs = new ArrayList<>();
        for (int i = 0; i < jdks.size(); i++) {
          Path java = jdks.get(i);
          String service = "vulnerable-" + i;
          runs.add(
              pool.submit(
                  () -> {
                    attackOn(java, service, agent, f, pipeline, servers, dir);
                    return null;
                  }));
        }
        for (Future<?> run : runs) {
          try {
            run.get();
          } catch (ExecutionException e) {
            throw e.getCause() instanceof Error err ? err : new AssertionError(e.getCause());
          }
        }
      } finally {
        pool.shutdownNow();
      }
    }
    ExampleAlerts.write();
  }

  /** One JDK: attacks while LEARNING, a quiet normal replay once MONITORING, the attacks again. */
  private static void attackOn(
      Path java,
      String service,
      Path agent,
      PipelineFixtures f,
      DetectionPipeline pipeline,
      Servers servers,
      Path dir)
      throws Exception {
    Path work = servers.work;
    List<Expected> expected = expected(work, servers.ldap.getLocalPort());
    int httpPort; // the app's HTTP front: one port for all runs of this service (see VulnerableApp)
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      httpPort = free.getLocalPort();
    }
    AnalystBackend backend = pipeline.backend();

    // 1. Attacks while the new service's profile is LEARNING: each raises its alert, none is
    // learned.
    VulnerableRun run1 =
        start(java, agent, f, service, "attack", servers, dir.resolve(service + "-1"), httpPort);
    Map<String, Alert> raised = new LinkedHashMap<>();
    try {
      await()
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(300))
          .until(
              () -> {
                List<Alert> all = alertsOf(backend, service);
                for (Expected e : expected) {
                  all.stream()
                      .filter(a -> a.getRule().equals(e.rule()) && e.is().test(a))
                      .findFirst()
                      .ifPresent(a -> raised.put(e.name(), a));
                }
                return raised.size() == expected.size();
              });
    } catch (ConditionTimeoutException timeout) {
      throw new AssertionError(
          "on "
              + java
              + " missing "
              + missing(expected, raised)
              + ":\n"
              + describe(alertsOf(backend, service))
              + "\n"
              + run1.output(),
          timeout);
    }
    run1.stop();
    for (Expected e : expected) {
      Alert a = raised.get(e.name());
      assertEquals(e.severity(), a.getSeverity(), e.name() + ": " + a.getTitle());
      assertEquals(ProfileState.LEARNING, a.getContext().getState(), e.name());
      if (e.context() != null) {
        CodeContext c =
            a.getEvent().getContextsList().stream()
                .filter(x -> x.getCategory().equals(e.context()))
                .findFirst()
                .orElseThrow(
                    () ->
                        new AssertionError(e.name() + " names no " + e.context() + " frame: " + a));
        assertTrue(
            a.getTitle().contains(" via ") && a.getTitle().contains("(" + e.context() + ")"),
            a.getTitle());
        assertTrue(OcsfJson.of(a).contains(c.getFrame()), OcsfJson.of(a));
      }
      carriesItsRequest(e.name(), a);
      ExampleAlerts.record(e.name(), a);
    }
    assertTrue(run1.output().contains("directory user found: Alice"), run1.output());
    String directory = "127.0.0.1:" + servers.directory.getListenPort();
    // The directory client's connect reached the collector: it was learned as normal...
    await()
        .atMost(WAIT)
        .until(
            () ->
                backend
                    .profile(service)
                    .map(
                        p ->
                            p.getEntriesList().stream()
                                .anyMatch(en -> en.getTarget().equals(directory)))
                    .orElse(false));
    // ...and raised nothing (before issue 22 it was a CRITICAL "JNDI lookup reached out").
    List<Alert> directoryAlerts =
        alertsOf(backend, service).stream()
            .filter(a -> a.getNormalizedTarget().equals(directory))
            .collect(Collectors.toList());
    assertEquals(
        List.of(),
        directoryAlerts,
        "a directory client on a configured context is no JNDI callback: "
            + describe(directoryAlerts));
    assertEquals("T1611", raised.get("docker-socket").getMitre().getId());
    assertTrue(
        raised.get("log4shell").getTitle().contains("log4j-core-2.14.1.jar"),
        raised.get("log4shell").getTitle());

    // 2. Learning ends once all the first run sent was judged; a normal replay raises nothing.
    AnalystCollector.endLearning(f, backend, service, "attack-suite");
    Map<String, Long> before = counts(f, service);
    int instancesBefore = backend.profile(service).map(ServiceProfile::getInstancesCount).orElse(0);
    VulnerableRun run2 =
        start(java, agent, f, service, "normal", servers, dir.resolve(service + "-2"), httpPort);
    try {
      // The replay's instance joined the profile: its first batch (the first occurrences) was
      // judged.
      await()
          .atMost(WAIT)
          .until(
              () ->
                  backend.profile(service).map(ServiceProfile::getInstancesCount).orElse(0)
                      > instancesBefore);
    } catch (ConditionTimeoutException timeout) {
      throw new AssertionError(
          "the normal replay's events never arrived:\n" + run2.output(), timeout);
    }
    // Everything the replay did was sent (it stopped: its agent flushed at exit) and judged.
    run2.stop();
    f.awaitConsumed();
    if (!counts(f, service).equals(before)) {
      throw new AssertionError(
          "on "
              + java
              + " the normal replay raised:\n"
              + describe(
                  alertsOf(backend, service).stream()
                      .filter(a -> a.getCount() != before.getOrDefault(a.getId(), 0L))
                      .collect(Collectors.toList()))
              + run2.output());
    }

    // 3. The same attacks once MONITORING: each alert is raised again (folded into its count).
    VulnerableRun run3 =
        start(java, agent, f, service, "attack", servers, dir.resolve(service + "-3"), httpPort);
    for (Expected e : expected) {
      String id = raised.get(e.name()).getId();
      await()
          .atMost(WAIT)
          .until(() -> backend.alert(id).map(Alert::getCount).orElse(0L) > before.get(id));
    }
    run3.stop();
  }

  /**
   * The attack's alert names the request that carried it (issue 24): its route, method, the
   * forwarded chain as the attacker sent it and the trace id, in the protobuf, the text and OCSF.
   */
  static void carriesItsRequest(String name, Alert a) {
    RequestContext r = a.getRequest();
    String where = name + ": " + a;
    assertEquals("POST", r.getMethod(), where);
    assertEquals("/attack/" + name, r.getRoute(), where);
    assertEquals("/attack/" + name, r.getPath(), where);
    assertEquals(List.of(VulnerableApp.Front.FORWARDED_FOR), r.getForwardedForList(), where);
    assertTrue(r.getForwardedByClient(), where);
    assertEquals(VulnerableApp.Front.TRACE_ID, r.getTraceId(), where);
    assertEquals("127.0.0.1", r.getClientAddress(), where);
    assertEquals(r, a.getEvent().getRequest(), where);
    assertTrue(
        a.getDescription()
            .contains(
                "during POST /attack/"
                    + name
                    + " from 127.0.0.1 (forwarded for 203.0.113.7), trace 4bf92f35…"),
        a.getDescription());
    String ocsf = OcsfJson.of(a);
    assertTrue(
        ocsf.contains("\"correlation_uid\":\"" + VulnerableApp.Front.TRACE_ID + "\"")
            && ocsf.contains("\"http_request\""),
        ocsf);
  }

  static List<Alert> alertsOf(AnalystBackend backend, String service) {
    return backend.alerts(new AnalystBackend.AlertQuery(service, null, null, null, 1000));
  }

  /**
   * Alert counts as the collector published them (read to the end of its alert-view topic, not from
   * the query view, which may still be catching up), but for the LEARNING_ENDED review record,
   * which judges nothing the replay did.
   */
  static Map<String, Long> counts(PipelineFixtures f, String service) throws Exception {
    return f.publishedAlerts(service).values().stream()
        .filter(a -> a.getReason() != AlertReason.LEARNING_ENDED)
        .collect(Collectors.toMap(Alert::getId, Alert::getCount));
  }

  static String missing(List<Expected> expected, Map<String, Alert> raised) {
    return expected.stream()
        .map(Expected::name)
        .filter(n -> !raised.containsKey(n))
        .collect(Collectors.joining(", "));
  }

  static String describe(List<Alert> alerts) {
    return alerts.stream().map(AlertText::block).collect(Collectors.joining());
  }

  /** The vulnerable app with the agent, once it did its work in {@code mode}. */
  static VulnerableRun start(
      Path java,
      Path agent,
      PipelineFixtures f,
      String service,
      String mode,
      Servers s,
      Path dir,
      int httpPort)
      throws Exception {
    return VulnerableRun.start(
            VulnerableRun.agentCommand(java, agent, f, service, s.work.resolve("home")),
            mode,
            dir,
            List.of(
                s.work.toString(),
                Integer.toString(s.db.getLocalPort()),
                Integer.toString(s.ldap.getLocalPort()),
                dir.resolve("stop").toString(),
                Integer.toString(s.directory.getListenPort()),
                Integer.toString(httpPort)))
        .awaitDone();
  }

  /**
   * The app's classes and exactly the vulnerable libraries: commons-collections from the test class
   * path, log4j from target/attack-libs.
   */
  static String classpath() throws Exception {
    List<String> parts = new ArrayList<>();
    for (String cls :
        List.of(
            "dev.tripline.vulnapp.VulnerableApp",
            "org.apache.commons.collections.functors.InvokerTransformer")) {
      parts.add(
          Path.of(Class.forName(cls).getProtectionDomain().getCodeSource().getLocation().toURI())
              .toString());
    }
    for (String jar : List.of("log4j-api-2.14.1.jar", "log4j-core-2.14.1.jar")) {
      Path p = Path.of("target/attack-libs", jar).toAbsolutePath();
      assertTrue(
          Files.exists(p),
          p + " is copied by the build (maven-dependency-plugin, attack-suite-libs)");
      parts.add(p.toString());
    }
    return String.join(java.io.File.pathSeparator, parts);
  }

  /** The agent jar the collector bundles (built from this tree), else the agent module's build. */
  static Path agentJar(Path dir) throws IOException {
    try (InputStream in = AttackSuiteIT.class.getResourceAsStream("/bundled/tripline-agent.jar")) {
      if (in != null) {
        Path jar = dir.resolve("tripline-agent.jar");
        Files.copy(in, jar, StandardCopyOption.REPLACE_EXISTING);
        return jar;
      }
    }
    Path built = Path.of("../agent/target/tripline-agent.jar").toAbsolutePath().normalize();
    assertTrue(Files.exists(built), "build the agent first (./mvnw install)");
    return built;
  }

  /**
   * The app's world: its config and data files, a fake HOME with cloud credentials, the attacker's
   * symlink, a database, the attacker's "LDAP" listener on an arbitrary port, and a fake
   * docker.sock.
   */
  static final class Servers implements AutoCloseable {
    final Path work;
    final ServerSocket db = new ServerSocket(0);
    final ServerSocket ldap = new ServerSocket(0);
    final ServerSocketChannel docker;
    final InMemoryDirectoryServer directory;
    private final List<Thread> threads = new ArrayList<>();

    Servers(Path work) throws IOException, LDAPException, LDIFException {
      this.work = work;
      directory = directory();
      Files.createDirectories(work.resolve("app/data"));
      Files.createDirectories(work.resolve("home/.aws"));
      Files.createDirectories(work.resolve("run"));
      Files.writeString(work.resolve("app/config.yml"), "db: 127.0.0.1\n");
      Files.writeString(work.resolve("app/secret.txt"), "not for XML\n");
      Files.writeString(
          work.resolve("home/.aws/credentials"),
          "[default]\naws_access_key_id = AKIAFAKEFAKEFAKE\n");
      Files.createSymbolicLink(
          work.resolve("app/data/innocent.txt"), work.resolve("home/.aws/credentials"));
      docker = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
      docker.bind(UnixDomainSocketAddress.of(work.resolve("run/docker.sock")));
      serve(
          () -> {
            try (Socket s = db.accept()) {
              s.getInputStream().read();
            }
          });
      serve(
          () -> {
            try (Socket s = ldap.accept()) {
              s.setSoLinger(true, 0);
            }
          });
      serve(
          () -> {
            try (SocketChannel c = docker.accept()) {
              c.read(java.nio.ByteBuffer.allocate(256));
            }
          });
    }

    interface Io {
      void once() throws IOException;
    }

    private void serve(Io io) {
      Thread t =
          new Thread(
              () -> {
                while (!Thread.currentThread().isInterrupted()) {
                  try {
                    io.once();
                  } catch (IOException e) {
                    if (db.isClosed()) return;
                  }
                }
              },
              "attack-suite-server");
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }

    /** A real LDAP directory (UnboundID's in-memory server) with one user, for the client. */
    static InMemoryDirectoryServer directory() throws LDAPException, LDIFException {
      InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig("dc=example,dc=com");
      config.addAdditionalBindCredentials("cn=admin,dc=example,dc=com", "directory-secret");
      config.setListenerConfigs(
          InMemoryListenerConfig.createLDAPConfig(
              "ldap", InetAddress.getLoopbackAddress(), 0, null));
      InMemoryDirectoryServer ds = new InMemoryDirectoryServer(config);
      ds.add("dn: dc=example,dc=com", "objectClass: top", "objectClass: domain", "dc: example");
      ds.add(
          "dn: ou=users,dc=example,dc=com",
          "objectClass: top",
          "objectClass: organizationalUnit",
          "ou: users");
      ds.add(
          "dn: uid=alice,ou=users,dc=example,dc=com",
          "objectClass: top",
          "objectClass: person",
          "objectClass: organizationalPerson",
          "objectClass: inetOrgPerson",
          "uid: alice",
          "cn: Alice",
          "sn: Liddell");
      ds.startListening();
      return ds;
    }

    @Override
    public void close() throws IOException {
      directory.shutDown(true);
      threads.forEach(Thread::interrupt);
      db.close();
      ldap.close();
      docker.close();
    }
  }

  /**
   * Keeps one real alert of each kind, for docs/detection.md (written to
   * target/attack-suite-alerts.txt).
   */
  static final class ExampleAlerts {
    private static final Map<String, Alert> BY_NAME = new HashMap<>();

    static synchronized void record(String name, Alert a) {
      BY_NAME.putIfAbsent(name, a);
    }

    static synchronized void write() throws IOException {
      StringBuilder sb = new StringBuilder();
      for (Map.Entry<String, Alert> e : BY_NAME.entrySet()) {
        sb.append("## ")
            .append(e.getKey())
            .append('\n')
            .append(AlertText.block(e.getValue()))
            .append('\n')
            .append(OcsfJson.of(e.getValue()))
            .append("\n\n");
      }
      Files.writeString(Path.of("target/attack-suite-alerts.txt"), sb.toString());
    }
  }
}

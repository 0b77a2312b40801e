package dev.tripline.collector.attack;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.agent.it.Jdks;
import dev.tripline.collector.api.AnalystBackend;
import dev.tripline.collector.pipeline.PipelineFixtures;
import dev.tripline.kafka.EmbeddedKafka;
import dev.tripline.kafka.KafkaBroker;
import dev.tripline.kafka.Patience;
import dev.tripline.model.Alert;
import dev.tripline.model.Disposition;
import dev.tripline.vulnapp.VulnerableApp;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 23 on the attack suite's real parts: the real agent in a forked JVM running {@link
 * VulnerableApp} (log4j-core 2.14.1, commons-collections 3.2.1), the real collector with its HTTP
 * API, a real broker. The operator's {@code PUT /api/services/{service}/protection} reaches the
 * agent within 5 s (measured to the first refusal in the application); in {@code block} the JNDI
 * callback never reaches the attacker's port and the gadget's process never starts, the service
 * answers its next normal request, and each attack is one BLOCKED alert with its call site and
 * context frame; in {@code dry-run} the same attacks go through and the same alerts say
 * WOULD_BLOCK; a normal replay is refused nothing and marked nothing. Once the service is
 * MONITORING and the operator selected {@code FILE_READ}, the path traversal sent through the
 * service's HTTP front is refused as new behaviour: the application's read fails with the exception
 * its API declares and the secret never reaches the HTTP answer; in dry-run the read goes through,
 * marked WOULD_BLOCK.
 */
@ExtendWith(KafkaBroker.class)
class ProtectAttackSuiteIT {
  private static final Duration WAIT = Patience.WAIT;
  private static final String TOKEN = "protect-attack-suite-token";
  private static final List<String> DEFAULT_KINDS = List.of("PROCESS_SPAWN", "NET_CONNECT");
  private static final List<String> WITH_FILE_READS =
      List.of("PROCESS_SPAWN", "NET_CONNECT", "FILE_READ");

  /** What the fake HOME's credentials file holds: it must never reach an HTTP answer in block. */
  private static final String SECRET = "AKIAFAKEFAKEFAKE";

  private final HttpClient http = HttpClient.newHttpClient();

  /** An attack protect mode must stop, by its known-bad rule. */
  record Blockable(String name, String rule, String context, Predicate<Alert> is) {}

  static List<Blockable> blockable(Path work, int ldapPort) {
    return List.of(
        new Blockable(
            "log4shell",
            "jndi-reach-out",
            "jndi",
            a -> a.getNormalizedTarget().equals("127.0.0.1:" + ldapPort)),
        new Blockable(
            "gadget",
            "gadget-spawn",
            "deserialization",
            a -> a.getEvent().getProcess().getExecutable().endsWith("touch")),
        new Blockable(
            "docker-socket",
            "container-socket",
            null,
            a ->
                a.getTitle()
                    .equals(
                        "Container runtime socket contacted: unix:"
                            + work.resolve("run/docker.sock"))));
  }

  /** A listener that counts what reached it: the attacker's LDAP port. */
  static final class Counting implements AutoCloseable {
    final ServerSocket server = new ServerSocket(0);
    final AtomicInteger accepted = new AtomicInteger();

    Counting() throws IOException {
      Thread t =
          new Thread(
              () -> {
                while (!server.isClosed()) {
                  try (Socket s = server.accept()) {
                    accepted.incrementAndGet();
                    s.setSoLinger(true, 0);
                  } catch (IOException e) {
                    // closed
                  }
                }
              },
              "attacker-ldap");
      t.setDaemon(true);
      t.start();
    }

    int port() {
      return server.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }

  @Test
  void blockStopsTheAttacksBeforeTheirIoDryRunOnlyMarksThemAndNormalWorkGoesOn(
      EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
    Path agent = AttackSuiteIT.agentJar(dir);
    Path java = Jdks.all().get(0);
    String service = "protected-shop";
    try (AnalystCollector collector = new AnalystCollector(kafka, dir, TOKEN);
        AttackSuiteIT.Servers servers = new AttackSuiteIT.Servers(dir.resolve("work"));
        Counting attacker = new Counting();
        Counting probeLdap = new Counting()) {
      PipelineFixtures f = collector.f;
      AnalystBackend backend = collector.backend();
      Path work = servers.work;
      Path marker = work.resolve("pwned-by-gadget");
      String protection = collector.protection(service);
      Runs runs = new Runs(java, agent, f, service, servers, attacker);

      // 1. The service is known (a normal run while LEARNING): protection can be set for it.
      runs.run("normal", dir.resolve("normal-0"), null).stop();
      await().atMost(WAIT).until(() -> backend.profile(service).isPresent());

      // 2. The mode change end to end: PUT block -> the first refusal in a running JVM.
      Path probeDir = dir.resolve("probe");
      Files.createDirectories(probeDir);
      Process probe = probe(java, agent, f, service, probeLdap.port(), servers, probeDir);
      InForce block;
      try {
        await().atMost(WAIT).until(() -> probeLdap.accepted.get() > 0);
        long t0 = System.nanoTime();
        HttpResponse<String> put = put(protection, "block", DEFAULT_KINDS);
        long answered = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals(200, put.statusCode(), put.body());
        block = InForce.of(put);
        awaitOutput(probeDir.resolve("out.txt"), "JNDI refused");
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        System.out.println(
            "[ProtectAttackSuiteIT] PUT /api/services/"
                + service
                + "/protection block -> first refusal in the agent: "
                + ms
                + " ms (the PUT answered after "
                + answered
                + " ms)");
        assertTrue(ms <= 5_000, "the mode change took " + ms + " ms");
      } finally {
        Files.writeString(probeDir.resolve("stop"), "");
        probe.waitFor(Patience.FORKED_RUN.toSeconds(), TimeUnit.SECONDS);
        probe.destroyForcibly();
      }

      // 3. Block: the attacks are refused before their I/O; the service answers on.
      VulnerableRun blocked = runs.run("attack-protected", dir.resolve("block"), block);
      blocked.stop();
      String out = blocked.output();
      assertEquals(0, attacker.accepted.get(), "the JNDI callback reached the attacker: " + out);
      assertFalse(Files.exists(marker), "the gadget's process ran: " + out);
      assertTrue(out.contains("normal request after the attacks: ok"), out);
      assertTrue(
          out.contains(
              "attack docker-socket: failed java.net.ConnectException: Tripline protect mode"
                  + " refused this call (rule container-socket)"),
          out);
      assertTrue(
          out.contains("attack gadget: failed java.io.IOException: Cannot run program"), out);
      assertTrue(out.contains("Tripline protect mode refused this call (rule gadget-spawn)"), out);
      List<Blockable> expected = blockable(work, attacker.port());
      Map<String, Alert> refused =
          awaitAlerts(backend, service, expected, Disposition.BLOCKED, out);
      for (Blockable b : expected) {
        Alert a = refused.get(b.name());
        assertEquals(b.rule(), a.getEvent().getProtectionRule(), b.name());
        assertFalse(a.getEvent().getCallSite().getClassName().isEmpty(), b.name() + ": " + a);
        if (b.context() != null) {
          assertTrue(
              a.getEvent().getContextsList().stream()
                  .anyMatch(c -> c.getCategory().equals(b.context())),
              b.name() + " names no " + b.context() + " frame: " + a);
        }
        assertEquals(
            1,
            AttackSuiteIT.alertsOf(backend, service).stream()
                .filter(x -> x.getRule().equals(b.rule()) && b.is().test(x))
                .count(),
            b.name() + ": one alert per attack");
      }

      // 4. A normal replay in block: nothing refused, nothing marked.
      f.awaitConsumed();
      Map<String, Long> before = AttackSuiteIT.counts(f, service);
      VulnerableRun normal = runs.run("normal-protected", dir.resolve("normal-1"), block);
      normal.stop();
      f.awaitConsumed();
      assertFalse(normal.output().contains("Tripline"), normal.output());
      assertEquals(before, AttackSuiteIT.counts(f, service), "the normal replay raised alerts");

      // 5. Dry-run: the same attacks go through, the same alerts now say WOULD_BLOCK.
      InForce dryRun = InForce.of(put(protection, "dry-run", DEFAULT_KINDS));
      VulnerableRun dry = runs.run("attack-protected", dir.resolve("dry"), dryRun);
      dry.stop();
      String dryOut = dry.output();
      assertFalse(dryOut.contains("Tripline"), dryOut);
      assertTrue(attacker.accepted.get() > 0, "in dry-run the callback goes out: " + dryOut);
      assertTrue(Files.exists(marker), "in dry-run the gadget runs: " + dryOut);
      Map<String, Alert> marked =
          awaitAlerts(backend, service, expected, Disposition.WOULD_BLOCK, dryOut);
      for (Blockable b : expected) {
        assertEquals(refused.get(b.name()).getId(), marked.get(b.name()).getId(), b.name());
      }
      f.awaitConsumed();
      Map<String, Long> beforeDry = AttackSuiteIT.counts(f, service);
      VulnerableRun normal2 = runs.run("normal-protected", dir.resolve("normal-2"), dryRun);
      normal2.stop();
      f.awaitConsumed();
      assertEquals(beforeDry, AttackSuiteIT.counts(f, service), "the normal replay raised alerts");
    }
  }

  @Test
  void withFileReadsSelectedOnceMonitoringTheTraversalReadIsRefusedAndNormalReadsGoOn(
      EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
    Path agent = AttackSuiteIT.agentJar(dir);
    try (AnalystCollector collector = new AnalystCollector(kafka, dir, TOKEN);
        AttackSuiteIT.Servers servers = new AttackSuiteIT.Servers(dir.resolve("work"));
        Counting attacker = new Counting()) {
      // on every JDK, a service of its own
      for (int i = 0; i < Jdks.all().size(); i++) {
        Path java = Jdks.all().get(i);
        String service = "file-shop-" + i;
        Path runDir = dir.resolve("jdk-" + i);
        String protection = collector.protection(service);
        Runs runs = new Runs(java, agent, collector.f, service, servers, attacker);
        // the service learns its normal work
        runs.run("normal", runDir.resolve("learn"), null).stop();
        await().atMost(WAIT).until(() -> collector.backend().profile(service).isPresent());
        fileReadsSelectedOnceMonitoring(
            collector.backend(),
            collector.f,
            runs,
            protection,
            servers.work.resolve("pwned-by-gadget"),
            runDir);
      }
    }
  }

  /**
   * The opt-in kind end to end: learning ends (an analyst's SET_MONITORING), the operator selects
   * FILE_READ; the traversal's read of the credentials file, sent through the HTTP front, is new
   * behaviour and refused before the file is opened, with the exception {@code FileInputStream}
   * declares; the answer never carries the secret. In dry-run it goes through, marked. Neither mode
   * touches the normal replay, whose every read was learned.
   */
  private void fileReadsSelectedOnceMonitoring(
      AnalystBackend backend,
      PipelineFixtures f,
      Runs runs,
      String protection,
      Path marker,
      Path dir)
      throws Exception {
    String service = runs.service;
    Path work = runs.servers.work;
    AnalystCollector.endLearning(f, backend, service, "protect-attack-suite");
    HttpResponse<String> put = put(protection, "block", WITH_FILE_READS);
    assertEquals(200, put.statusCode(), put.body());
    assertTrue(put.body().contains("\"profileState\":\"MONITORING\""), put.body());
    InForce block = InForce.of(put);
    Predicate<Alert> traversal =
        a ->
            a.getRule().equals("credential-file")
                && a.getTitle()
                    .contains("(requested as " + work + "/app/data/../../home/.aws/credentials)");

    // A normal replay under the opt-in kind: every read it makes was learned, nothing is refused.
    f.awaitConsumed();
    Map<String, Long> before = AttackSuiteIT.counts(f, service);
    VulnerableRun normal = runs.run("normal-protected", dir.resolve("reads-normal-block"), block);
    normal.stop();
    f.awaitConsumed();
    assertFalse(normal.output().contains("Tripline"), normal.output());
    assertEquals(before, AttackSuiteIT.counts(f, service), "the normal replay raised alerts");

    // Block: the traversal's read is refused; the attacker's answer is the endpoint's error.
    Files.deleteIfExists(marker);
    int callbacks = runs.attacker.accepted.get();
    VulnerableRun blocked = runs.run("attack-protected", dir.resolve("reads-block"), block);
    blocked.stop();
    String out = blocked.output();
    assertTrue(
        out.contains(
            "attack traversal: answered 500 java.io.FileNotFoundException: "
                + work
                + "/app/data/../../home/.aws/credentials (Tripline protect mode refused this call"
                + " (rule new-behaviour:FILE_READ))"),
        out);
    assertFalse(out.contains(SECRET), "the secret reached the HTTP answer: " + out);
    assertTrue(out.contains("normal request after the attacks: ok"), out);
    assertEquals(callbacks, runs.attacker.accepted.get(), "the JNDI callback went out: " + out);
    assertFalse(Files.exists(marker), "the gadget's process ran: " + out);
    Alert refused = awaitAlert(backend, service, traversal, Disposition.BLOCKED, out);
    assertEquals("new-behaviour:FILE_READ", refused.getEvent().getProtectionRule(), "" + refused);
    assertEquals(
        VulnerableApp.class.getName() + "$Traversal",
        refused.getEvent().getCallSite().getClassName(),
        "" + refused);
    assertEquals(
        1,
        AttackSuiteIT.alertsOf(backend, service).stream().filter(traversal).count(),
        "one alert for the traversal");

    // Dry-run: the read goes through (the attacker gets the file), the same alert says
    // WOULD_BLOCK.
    InForce dryRun = InForce.of(put(protection, "dry-run", WITH_FILE_READS));
    VulnerableRun dry = runs.run("attack-protected", dir.resolve("reads-dry"), dryRun);
    dry.stop();
    String dryOut = dry.output();
    assertFalse(dryOut.contains("Tripline"), dryOut);
    assertTrue(dryOut.contains("attack traversal: answered 200 [default]"), dryOut);
    assertTrue(dryOut.contains(SECRET), "in dry-run the read goes through: " + dryOut);
    Alert marked = awaitAlert(backend, service, traversal, Disposition.WOULD_BLOCK, dryOut);
    assertEquals(refused.getId(), marked.getId());
    assertEquals("new-behaviour:FILE_READ", marked.getEvent().getProtectionRule(), "" + marked);

    f.awaitConsumed();
    Map<String, Long> beforeDry = AttackSuiteIT.counts(f, service);
    VulnerableRun normal2 = runs.run("normal-protected", dir.resolve("reads-normal-dry"), dryRun);
    normal2.stop();
    f.awaitConsumed();
    assertFalse(normal2.output().contains("Tripline"), normal2.output());
    assertEquals(beforeDry, AttackSuiteIT.counts(f, service), "the normal replay raised alerts");
  }

  private static Alert awaitAlert(
      AnalystBackend backend, String service, Predicate<Alert> is, Disposition d, String out) {
    Alert[] found = new Alert[1];
    try {
      await()
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(300))
          .until(
              () -> {
                for (Alert a : AttackSuiteIT.alertsOf(backend, service)) {
                  if (is.test(a) && a.getDisposition() == d) found[0] = a;
                }
                return found[0] != null;
              });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(
          "no "
              + d
              + " alert:\n"
              + AttackSuiteIT.describe(AttackSuiteIT.alertsOf(backend, service))
              + "\n"
              + out,
          e);
    }
    return found[0];
  }

  /**
   * The policy a new JVM must hold before the test gives it the go: the mode, and at least the
   * version the operator's change issued (the compacted topic may still hold older records, read
   * first; the collector may have re-issued it since, with a higher version).
   */
  record InForce(String mode, long version) {
    private static final java.util.regex.Pattern MODE =
        java.util.regex.Pattern.compile("\"mode\":\"([a-z-]+)\"");
    private static final java.util.regex.Pattern VERSION =
        java.util.regex.Pattern.compile("\"version\":(\\d+)");

    static InForce of(HttpResponse<String> answer) {
      assertEquals(200, answer.statusCode(), answer.body());
      java.util.regex.Matcher m = MODE.matcher(answer.body());
      java.util.regex.Matcher v = VERSION.matcher(answer.body());
      assertTrue(m.find() && v.find(), answer.body());
      return new InForce(m.group(1), Long.parseLong(v.group(1)));
    }

    /** The agent's last "protect: <mode> in force (policy version N)" line says this policy. */
    boolean saidIn(String output) {
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile(
                  "\\[tripline\\] protect: ([a-z-]+) in force \\(policy version (\\d+)\\)")
              .matcher(output);
      String lastMode = null;
      long lastVersion = -1;
      while (m.find()) {
        lastMode = m.group(1);
        lastVersion = Long.parseLong(m.group(2));
      }
      return mode.equals(lastMode) && lastVersion >= version;
    }
  }

  private static Map<String, Alert> awaitAlerts(
      AnalystBackend backend, String service, List<Blockable> expected, Disposition d, String out) {
    Map<String, Alert> found = new java.util.LinkedHashMap<>();
    try {
      await()
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(300))
          .until(
              () -> {
                for (Alert a : AttackSuiteIT.alertsOf(backend, service)) {
                  for (Blockable b : expected) {
                    if (a.getRule().equals(b.rule()) && b.is().test(a) && a.getDisposition() == d) {
                      found.put(b.name(), a);
                    }
                  }
                }
                return found.size() == expected.size();
              });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(
          "no "
              + d
              + " alert for "
              + expected.stream()
                  .map(Blockable::name)
                  .filter(n -> !found.containsKey(n))
                  .collect(Collectors.toList())
              + ":\n"
              + AttackSuiteIT.describe(AttackSuiteIT.alertsOf(backend, service))
              + "\n"
              + out,
          e);
    }
    return found;
  }

  private HttpResponse<String> put(String url, String mode, List<String> kinds) throws Exception {
    String body =
        "{\"mode\":\""
            + mode
            + "\",\"kinds\":["
            + kinds.stream().map(k -> "\"" + k + "\"").collect(Collectors.joining(","))
            + "]}";
    return http.send(
        HttpRequest.newBuilder(URI.create(url))
            .header("Authorization", "Bearer " + TOKEN)
            .PUT(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void awaitOutput(Path out, String text) throws Exception {
    try {
      await()
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(20))
          .until(() -> Files.exists(out) && Files.readString(out).contains(text));
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(
          "no '" + text + "': " + (Files.exists(out) ? Files.readString(out) : "(no output)"), e);
    }
  }

  /**
   * The agent's ProtectApp (a JNDI lookup every 100 ms) as the service: the mode change's probe.
   */
  private static Process probe(
      Path java,
      Path agent,
      PipelineFixtures f,
      String service,
      int ldapPort,
      AttackSuiteIT.Servers s,
      Path dir)
      throws Exception {
    List<String> cmd = VulnerableRun.agentCommand(java, agent, f, service, s.work.resolve("home"));
    cmd.addAll(
        List.of(
            "-cp",
            Path.of(
                    Class.forName("dev.tripline.testapp.ProtectApp")
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI())
                .toString(),
            "dev.tripline.testapp.ProtectApp",
            Integer.toString(ldapPort),
            Integer.toString(s.db.getLocalPort()),
            s.work.resolve("app/config.yml").toString(),
            dir.resolve("stop").toString()));
    return new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("out.txt").toFile())
        .start();
  }

  /**
   * The vulnerable app as in AttackSuiteIT, its Log4Shell calling back to {@code attacker}, its
   * HTTP front on one port for every run (or its own client's connect would be new behaviour).
   */
  static final class Runs {
    final Path java;
    final Path agent;
    final PipelineFixtures f;
    final String service;
    final AttackSuiteIT.Servers servers;
    final Counting attacker;
    final int httpPort;

    Runs(
        Path java,
        Path agent,
        PipelineFixtures f,
        String service,
        AttackSuiteIT.Servers servers,
        Counting attacker)
        throws IOException {
      this.java = java;
      this.agent = agent;
      this.f = f;
      this.service = service;
      this.servers = servers;
      this.attacker = attacker;
      try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        httpPort = free.getLocalPort();
      }
    }

    /**
     * Runs {@code mode} until it is done; a {@code -protected} mode gets its go once the agent said
     * {@code inForce} is the policy it holds.
     */
    VulnerableRun run(String mode, Path dir, @Nullable InForce inForce) throws Exception {
      VulnerableRun app =
          VulnerableRun.start(
              VulnerableRun.agentCommand(java, agent, f, service, servers.work.resolve("home")),
              mode,
              dir,
              List.of(
                  servers.work.toString(),
                  Integer.toString(servers.db.getLocalPort()),
                  Integer.toString(attacker.port()),
                  dir.resolve("stop").toString(),
                  "0",
                  Integer.toString(httpPort)));
      Process p = app.process();
      if (mode.endsWith("-protected")) {
        InForce expected = Objects.requireNonNull(inForce, mode);
        try {
          await()
              .atMost(WAIT)
              .pollInterval(Duration.ofMillis(20))
              .until(() -> expected.saidIn(app.output()) || !p.isAlive());
        } catch (ConditionTimeoutException e) {
          throw new AssertionError("never held " + expected + ": " + app.output(), e);
        }
        assertTrue(expected.saidIn(app.output()), expected + ": " + app.output());
        Files.writeString(Path.of(dir.resolve("stop") + ".go"), "");
      }
      return app.awaitDone();
    }
  }
}

package dev.tripline.collector.output;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.collector.api.OutputControl;
import dev.tripline.collector.config.CollectorConfig;
import dev.tripline.collector.config.CollectorKeys;
import dev.tripline.collector.json.Json;
import dev.tripline.kafka.EmbeddedKafka;
import dev.tripline.kafka.KafkaBroker;
import dev.tripline.model.Alert;
import dev.tripline.model.AlertReason;
import dev.tripline.model.AnalystAction;
import dev.tripline.model.Disposition;
import dev.tripline.model.MitreTechnique;
import dev.tripline.model.Severity;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The delivery engine end to end: a real broker, real receivers (the JDK's HTTP server), alerts
 * written to the alerts topic as detection writes them (key = service, protobuf value).
 */
@ExtendWith(KafkaBroker.class)
class OutputDeliveryTest {
  private static final Duration WAIT = Duration.ofSeconds(90);

  /** Fresh topics and application id per test: tests share one broker. */
  private static final class Setup {
    final String id = UUID.randomUUID().toString().substring(0, 8);
    final String alerts = "alerts-" + id;
    final String actions = "actions-" + id;
    final String dead = "dead-" + id;
    final EmbeddedKafka kafka;
    final KafkaProducer<String, byte[]> producer;

    Setup(EmbeddedKafka kafka, int partitions) throws Exception {
      this.kafka = kafka;
      kafka
          .admin()
          .createTopics(
              List.of(
                  new NewTopic(alerts, partitions, (short) 1),
                  new NewTopic(actions, partitions, (short) 1),
                  new NewTopic(dead, 1, (short) 1)))
          .all()
          .get();
      Properties p = new Properties();
      p.put("bootstrap.servers", kafka.bootstrapServers());
      producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    CollectorConfig config(String... outputKeys) {
      CollectorConfig.Builder b =
          CollectorConfig.builder()
              .set(CollectorKeys.BOOTSTRAP_SERVERS, kafka.bootstrapServers())
              .set(CollectorKeys.APPLICATION_ID, "app-" + id)
              .set(CollectorKeys.TOPIC_ALERTS, alerts)
              .set(CollectorKeys.TOPIC_ACTIONS, actions)
              .set(CollectorKeys.TOPIC_DEADLETTER, dead);
      for (int i = 0; i < outputKeys.length; i += 2) b.set(outputKeys[i], outputKeys[i + 1]);
      return b.build();
    }

    void send(Alert a) throws Exception {
      producer.send(new ProducerRecord<>(alerts, a.getService(), a.toByteArray())).get();
    }

    void sendRaw(String key, byte[] value) throws Exception {
      producer.send(new ProducerRecord<>(alerts, key, value)).get();
    }

    void action(AnalystAction a) throws Exception {
      producer.send(new ProducerRecord<>(actions, a.getService(), a.toByteArray())).get();
    }

    List<ConsumerRecord<byte[], byte[]>> deadLetters(int atLeast) {
      Properties p = new Properties();
      p.put("bootstrap.servers", kafka.bootstrapServers());
      p.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID());
      p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
      try (KafkaConsumer<byte[], byte[]> c =
          new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
        c.subscribe(List.of(dead));
        await()
            .atMost(WAIT)
            .until(
                () -> {
                  c.poll(Duration.ofMillis(200)).forEach(out::add);
                  return out.size() >= atLeast;
                });
      }
      return out;
    }
  }

  static Alert alert(String service, int seq) {
    long t = 1_795_000_000_000L + seq;
    return Alert.newBuilder()
        .setId(service + "-" + seq)
        .setTimeMs(t)
        .setLastSeenMs(t)
        .setService(service)
        .setSeverity(Severity.HIGH)
        .setReason(AlertReason.NEW_CONNECTION)
        .setTitle("New outbound connection " + seq)
        .setCount(1)
        .build();
  }

  static OutputEngine engine(
      CollectorConfig config, PrometheusMeterRegistry registry, PrintStream out) throws Exception {
    OutputEngine e = new OutputEngine(config, registry, out, "http://console.example").start();
    assertTrue(e.awaitAssigned(WAIT), "every output's consumer got its partitions");
    return e;
  }

  static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    var h = r.headers().lastHeader(name);
    return h == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
  }

  /** The ids in arrival order, consecutive repeats (a retried request) collapsed. */
  static List<String> ids(List<String> bodies) {
    List<String> out = new ArrayList<>();
    for (String b : bodies) {
      String id = String.valueOf(Json.object(b).get("id"));
      if (out.isEmpty() || !out.get(out.size() - 1).equals(id)) out.add(id);
    }
    return out;
  }

  @Test
  void everyAlertArrivesThroughFailuresInOrderPerServiceAndAFailingOutputHoldsBackNoOther(
      EmbeddedKafka kafka) throws Exception {
    Setup s = new Setup(kafka, 3);
    try (Receiver flaky = new Receiver(Receiver.Failure.STATUS_500, 3);
        Receiver throttled = new Receiver(Receiver.Failure.STATUS_429, 2);
        Receiver hanging = new Receiver(Receiver.Failure.HANG, 2);
        Receiver outage = new Receiver(Receiver.Failure.NONE, 0);
        Receiver trickle = new Receiver(Receiver.Failure.TRICKLE, 2);
        Receiver fast = new Receiver(Receiver.Failure.NONE, 0)) {
      List<String> keys = new ArrayList<>();
      Map<String, Receiver> receivers = new LinkedHashMap<>();
      receivers.put("flaky", flaky);
      receivers.put("throttled", throttled);
      receivers.put("hanging", hanging);
      receivers.put("outage", outage);
      receivers.put("trickle", trickle);
      receivers.put("fast", fast);
      for (var e : receivers.entrySet()) {
        String p = "output." + e.getKey() + ".";
        keys.addAll(
            List.of(
                p + "type", "webhook",
                p + "url", e.getValue().url("/hook"),
                p + "format", "api",
                p + "secret", "s3cret-" + e.getKey(),
                p + "timeout", "1s",
                p + "retry.initial", "100ms",
                p + "retry.max", "2s",
                p + "rate", "1000"));
      }
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      ByteArrayOutputStream log = new ByteArrayOutputStream();
      outage.down(); // down before the first alert; back after the fast output has everything
      try (OutputEngine engine =
          engine(
              s.config(keys.toArray(String[]::new)),
              registry,
              new PrintStream(log, true, StandardCharsets.UTF_8))) {
        List<String> services = List.of("shop", "billing", "search");
        Map<String, List<String>> sent = new HashMap<>();
        for (int i = 0; i < 30; i++) {
          Alert a = alert(services.get(i % 3), i);
          sent.computeIfAbsent(a.getService(), k -> new ArrayList<>()).add(a.getId());
          s.send(a);
        }
        // One output down does not hold back another: the fast one has all 30 while it is down.
        await().atMost(WAIT).until(() -> Set.copyOf(ids(fast.bodies("/hook"))).size() == 30);
        assertTrue(outage.requests.isEmpty(), "the outage receiver was down all along");
        outage.up();
        for (var e : receivers.entrySet()) {
          Receiver r = e.getValue();
          await().atMost(WAIT).until(() -> Set.copyOf(ids(r.bodies("/hook"))).size() == 30);
          List<String> got = ids(r.bodies("/hook"));
          for (String service : services) {
            List<String> mine = new ArrayList<>(got);
            mine.removeIf(id -> !id.startsWith(service + "-"));
            assertEquals(
                sent.get(service),
                mine,
                e.getKey()
                    + ": "
                    + service
                    + "'s alerts in order, each once after collapsing retries");
          }
          for (Receiver.Request q : r.requests) {
            String ts = q.header(WebhookSender.TIMESTAMP);
            assertEquals(
                "sha256="
                    + WebhookSender.sign(
                        ("s3cret-" + e.getKey()).getBytes(StandardCharsets.UTF_8),
                        ts,
                        q.body().getBytes(StandardCharsets.UTF_8)),
                q.header(WebhookSender.SIGNATURE),
                e.getKey() + ": signature over timestamp + body");
            assertEquals("application/json", q.header("Content-Type"));
            assertEquals("trigger", q.header(WebhookSender.EVENT));
          }
        }
        Map<String, OutputControl.OutputStatus> status = new HashMap<>();
        engine.outputs().forEach(o -> status.put(o.name(), o));
        assertEquals(3, status.get("flaky").failures(), "three 500s counted");
        assertTrue(status.get("throttled").failures() >= 2, "429s counted");
        assertTrue(status.get("outage").failures() >= 1, "the outage counted");
        assertEquals(2, status.get("trickle").failures(), "a trickled answer times out");
        for (var o : status.values()) {
          assertEquals(0, o.deadLetters(), o.name() + ": nothing given up within the budget");
          assertTrue(o.delivered() >= 30, o.name());
        }
        // 429 + Retry-After: 1 → the second request came no sooner than a second later (minus
        // jitter-free slack)
        assertTrue(throttled.requests.size() >= 32);
        String metrics = registry.scrape();
        assertTrue(metrics.contains("tripline_output_delivered_total{output=\"flaky\"}"), metrics);
        assertTrue(metrics.contains("tripline_output_backlog{output=\"outage\"}"));
        assertTrue(
            log.toString(StandardCharsets.UTF_8).contains("output 'flaky' (webhook): HTTP 500"),
            log.toString(StandardCharsets.UTF_8));
      }
    }
  }

  @Test
  void aRoutingTableOfFiveOutputsGivesExactlyTheExpectedDeliveries(EmbeddedKafka kafka)
      throws Exception {
    Setup s = new Setup(kafka, 1); // one partition: the marker arrives after all 20
    List<Alert> alerts = new ArrayList<>();
    Severity[] sev = {Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL};
    AlertReason[] reasons = {
      AlertReason.NEW_CONNECTION,
      AlertReason.KNOWN_BAD,
      AlertReason.NEW_PROCESS,
      AlertReason.NEW_FILE_ACCESS
    };
    String[] tactics = {"Execution", "Discovery", "Credential Access", ""};
    String[] services = {"shop-eu", "shop-us", "billing", "search", "shopfront"};
    for (int i = 0; i < 20; i++) {
      alerts.add(
          alert(services[i % 5], i).toBuilder()
              .setSeverity(sev[i % 4])
              .setReason(reasons[(i / 2) % 4])
              .setRule(i % 3 == 0 ? "shell-spawn" : "")
              .setMitre(MitreTechnique.newBuilder().setTactic(tactics[(i / 3) % 4]))
              .setDisposition(i % 6 == 0 ? Disposition.BLOCKED : Disposition.DISPOSITION_NONE)
              .build());
    }
    // The table, written as plain predicates (not through AlertFilter).
    Map<String, Predicate<Alert>> expected = new LinkedHashMap<>();
    expected.put("all", a -> true);
    expected.put("high", a -> a.getSeverityValue() >= Severity.HIGH_VALUE);
    expected.put("shops", a -> a.getService().startsWith("shop-"));
    expected.put(
        "bad-exec",
        a ->
            (a.getReason() == AlertReason.KNOWN_BAD || a.getReason() == AlertReason.NEW_PROCESS)
                && a.getMitre().getTactic().equals("Execution"));
    expected.put(
        "blocked-shell",
        a -> a.getDisposition() == Disposition.BLOCKED && a.getRule().equals("shell-spawn"));
    Alert marker =
        alert("shop-marker", 99).toBuilder()
            .setSeverity(Severity.CRITICAL)
            .setReason(AlertReason.KNOWN_BAD)
            .setRule("shell-spawn")
            .setMitre(MitreTechnique.newBuilder().setTactic("Execution"))
            .setDisposition(Disposition.BLOCKED)
            .build();
    try (Receiver r = new Receiver(Receiver.Failure.NONE, 0)) {
      String[] keys = {
        "output.all.type",
        "webhook",
        "output.all.url",
        r.url("/all"),
        "output.all.format",
        "api",
        "output.high.type",
        "webhook",
        "output.high.url",
        r.url("/high"),
        "output.high.format",
        "api",
        "output.high.min.severity",
        "high",
        "output.shops.type",
        "webhook",
        "output.shops.url",
        r.url("/shops"),
        "output.shops.format",
        "api",
        "output.shops.services",
        "shop-*",
        "output.bad-exec.type",
        "webhook",
        "output.bad-exec.url",
        r.url("/bad-exec"),
        "output.bad-exec.format",
        "api",
        "output.bad-exec.reasons",
        "KNOWN_BAD, new_process",
        "output.bad-exec.tactics",
        "execution",
        "output.blocked-shell.type",
        "webhook",
        "output.blocked-shell.url",
        r.url("/blocked-shell"),
        "output.blocked-shell.format",
        "api",
        "output.blocked-shell.dispositions",
        "blocked",
        "output.blocked-shell.rules",
        "shell-spawn",
      };
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      try (OutputEngine engine = engine(s.config(keys), registry, System.out)) {
        for (Alert a : alerts) s.send(a);
        s.send(marker);
        int total = 0;
        for (var e : expected.entrySet()) {
          String path = "/" + e.getKey();
          await().atMost(WAIT).until(() -> ids(r.bodies(path)).contains(marker.getId()));
          List<String> want = new ArrayList<>();
          for (Alert a : alerts) if (e.getValue().test(a)) want.add(a.getId());
          want.add(marker.getId());
          assertEquals(want, ids(r.bodies(path)), e.getKey());
          total += want.size() - 1;
        }
        assertEquals(r.requests.size() - 5, total, "no request beyond the table");
        assertTrue(
            total > 20 && total < 100, "the table is neither empty nor everything: " + total);
      }
    }
  }

  @Test
  void badConfigurationBreaksOneOutputWithALineNamingTheKeyAndTheOthersRun(
      EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
    Setup s = new Setup(kafka, 1);
    try (Receiver good = new Receiver(Receiver.Failure.NONE, 0)) {
      String[] keys = {
        "output.good.type",
        "webhook",
        "output.good.url",
        good.url("/good"),
        "output.typo.type",
        "webhok",
        "output.badurl.type",
        "slack",
        "output.badurl.url",
        "hooks.slack.com/services/T0/B0/SECRETPATH",
        "output.unknownkey.type",
        "webhook",
        "output.unknownkey.url",
        good.url("/x"),
        "output.unknownkey.min.severty",
        "HIGH",
        "output.badfilter.type",
        "webhook",
        "output.badfilter.url",
        good.url("/x"),
        "output.badfilter.min.severity",
        "URGENT",
        "output.badreason.type",
        "webhook",
        "output.badreason.url",
        good.url("/x"),
        "output.badreason.reasons",
        "KNOWN_BAD,EVIL",
        "output.nosecret.type",
        "pagerduty",
        "output.nosecret.secret",
        "@file:" + dir.resolve("missing"),
      };
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      try (OutputEngine engine =
          engine(s.config(keys), registry, new PrintStream(out, true, StandardCharsets.UTF_8))) {
        String lines = out.toString(StandardCharsets.UTF_8);
        assertTrue(
            lines.contains(
                "output 'typo' is off: configuration key 'output.typo.type': 'webhok' is not a type"),
            lines);
        assertTrue(
            lines.contains("'output.badurl.url': the value is not an http:// or https:// URL"),
            lines);
        assertFalse(lines.contains("SECRETPATH"), "a webhook URL is not echoed");
        assertTrue(
            lines.contains(
                "'output.unknownkey.min.severty': unknown key (did you mean 'output.unknownkey.min.severity'?)"),
            lines);
        assertTrue(
            lines.contains(
                "'output.badfilter.min.severity': 'URGENT' is not INFO, LOW, MEDIUM, HIGH or CRITICAL"),
            lines);
        assertTrue(lines.contains("'output.badreason.reasons': 'EVIL' is not"), lines);
        assertTrue(lines.contains("'output.nosecret.secret': cannot read secret file"), lines);
        assertEquals(1, engine.running());
        Map<String, String> status = new HashMap<>();
        engine.outputs().forEach(o -> status.put(o.name(), o.status()));
        assertEquals("OK", status.get("good"));
        for (String broken :
            List.of("typo", "badurl", "unknownkey", "badfilter", "badreason", "nosecret")) {
          assertEquals("BROKEN", status.get(broken), broken);
        }
        assertTrue(registry.scrape().contains("tripline_output_up{output=\"typo\""));
        s.send(alert("shop", 1));
        await().atMost(WAIT).until(() -> good.bodies("/good").size() == 1);
        assertFalse(engine.test("typo").orElseThrow().delivered());
        assertTrue(engine.test("good").orElseThrow().delivered());
        assertTrue(engine.test("nosuch").isEmpty());
      }
    }
  }

  @Test
  void unreachableRedirectingAndHugeReceiversAndGarbageAreDeadLetteredWithTheReason(
      EmbeddedKafka kafka) throws Exception {
    Setup s = new Setup(kafka, 1);
    int closedPort;
    try (java.net.ServerSocket ss = new java.net.ServerSocket(0)) {
      closedPort = ss.getLocalPort();
    }
    try (Receiver redirect = new Receiver(Receiver.Failure.REDIRECT_LOOP, 1000);
        Receiver huge = new Receiver(Receiver.Failure.HUGE_400, 1000);
        Receiver good = new Receiver(Receiver.Failure.NONE, 0)) {
      String[] keys = {
        "output.unreachable.type",
        "webhook",
        "output.unreachable.url",
        "http://127.0.0.1:" + closedPort + "/hook",
        "output.unreachable.retry.budget",
        "2s",
        "output.unreachable.retry.initial",
        "100ms",
        "output.redirect.type",
        "webhook",
        "output.redirect.url",
        redirect.url("/loop"),
        "output.huge.type",
        "webhook",
        "output.huge.url",
        huge.url("/huge"),
        "output.good.type",
        "webhook",
        "output.good.url",
        good.url("/good"),
        "output.good.format",
        "api",
      };
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      try (OutputEngine engine = engine(s.config(keys), registry, System.out)) {
        long start = System.nanoTime();
        s.send(alert("shop", 1));
        s.sendRaw("shop", "not a protobuf alert at all".getBytes(StandardCharsets.UTF_8));
        s.send(alert("shop", 2));
        await()
            .atMost(WAIT)
            .until(() -> ids(good.bodies("/good")).equals(List.of("shop-1", "shop-2")));
        // 3 outputs × 2 alerts given up + 4 outputs × 1 unreadable record
        List<ConsumerRecord<byte[], byte[]>> dead = s.deadLetters(10);
        assertEquals(10, dead.size());
        Map<String, List<String>> reasons = new HashMap<>();
        for (var r : dead) {
          reasons
              .computeIfAbsent(header(r, "tripline.output"), k -> new ArrayList<>())
              .add(header(r, "tripline.error"));
          assertEquals(s.alerts, header(r, "tripline.source.topic"));
        }
        assertTrue(reasons.get("unreachable").get(0).contains("gave up after"), reasons.toString());
        assertTrue(
            reasons
                .get("unreachable")
                .get(0)
                .contains("cannot reach http://127.0.0.1:" + closedPort),
            reasons.toString());
        assertTrue(
            reasons.get("redirect").get(0).contains("HTTP 302")
                && reasons.get("redirect").get(0).contains("not followed"),
            reasons.toString());
        assertEquals(
            2, redirect.requests.size(), "one request per alert: the redirect is not followed");
        assertTrue(reasons.get("huge").get(0).startsWith("HTTP 400"), reasons.toString());
        assertTrue(reasons.get("huge").get(0).length() < 500, "the 10 MB answer is cut");
        for (String o : List.of("unreachable", "redirect", "huge", "good")) {
          assertTrue(
              reasons.get(o).stream().anyMatch(x -> x.startsWith("not a readable record")),
              o + ": " + reasons);
        }
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(60).toNanos());
        Map<String, Long> deadCount = new HashMap<>();
        engine.outputs().forEach(o -> deadCount.put(o.name(), o.deadLetters()));
        assertEquals(Map.of("unreachable", 3L, "redirect", 3L, "huge", 3L, "good", 1L), deadCount);
      }
    }
  }

  @Test
  void aRestartResumesWhereItStoppedAndPagerDutyFoldsAndResolvesByAlertId(EmbeddedKafka kafka)
      throws Exception {
    Setup s = new Setup(kafka, 3);
    try (Receiver pd = new Receiver(Receiver.Failure.NONE, 0)) {
      String[] keys = {
        "output.pager.type",
        "pagerduty",
        "output.pager.url",
        pd.url("/v2/enqueue"),
        "output.pager.secret",
        "routing-key-1",
        "output.pager.services",
        "shop*",
      };
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      try (OutputEngine engine = engine(s.config(keys), registry, System.out)) {
        s.send(alert("shop", 1));
        s.send(alert("other", 2)); // filtered out
        await().atMost(WAIT).until(() -> pd.requests.size() == 1);
      }
      // while stopped: a repeat of shop-1 (folded: count 10, seen later) and a new alert
      s.send(alert("shop", 1).toBuilder().setCount(10).setLastSeenMs(1_795_000_009_000L).build());
      s.send(alert("shop", 3));
      s.action(
          AnalystAction.newBuilder()
              .setType(AnalystAction.ActionType.ACKNOWLEDGE)
              .setService("shop")
              .setAlertId("shop-1")
              .build());
      s.action(
          AnalystAction.newBuilder()
              .setType(AnalystAction.ActionType.SET_LEARNING)
              .setService("shop")
              .build());
      try (OutputEngine engine =
          engine(
              s.config(keys), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), System.out)) {
        await().atMost(WAIT).until(() -> pd.requests.size() == 4);
      }
      List<Map<String, Object>> events = new ArrayList<>();
      for (String b : pd.bodies("/v2/enqueue")) events.add(Json.object(b));
      Set<String> seen = new LinkedHashSet<>();
      int triggers = 0;
      for (Map<String, Object> e : events) {
        assertEquals("routing-key-1", e.get("routing_key"));
        seen.add(e.get("event_action") + " " + e.get("dedup_key"));
        if (e.get("event_action").equals("trigger")) triggers++;
      }
      assertEquals(Set.of("trigger shop-1", "trigger shop-3", "resolve shop-1"), seen);
      assertEquals(
          3,
          triggers,
          "the repeat is a trigger with the same dedup key: PagerDuty updates, no new page");
      @SuppressWarnings("unchecked")
      Map<String, Object> payload = (Map<String, Object>) events.get(0).get("payload");
      assertEquals("error", payload.get("severity"));
      assertEquals("shop", payload.get("source"));
    }
  }
}

package dev.tripline.collector.http;

import static dev.tripline.collector.pipeline.PipelineFixtures.connect;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.collector.cli.AlertsCommand;
import dev.tripline.collector.cli.ProfileCommand;
import dev.tripline.collector.cli.RetireCommand;
import dev.tripline.collector.config.CollectorKeys;
import dev.tripline.collector.json.Json;
import dev.tripline.collector.pipeline.DetectionPipeline;
import dev.tripline.collector.pipeline.PipelineFixtures;
import dev.tripline.kafka.EmbeddedKafka;
import dev.tripline.kafka.KafkaBroker;
import dev.tripline.kafka.Patience;
import dev.tripline.model.AgentHealth;
import dev.tripline.model.AgentIdentity;
import dev.tripline.model.EventBatch;
import dev.tripline.model.ProfileState;
import dev.tripline.model.Schema;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The REST API end to end: real broker, real pipeline, real HTTP. */
@ExtendWith(KafkaBroker.class)
class AnalystServerTest {
  private final HttpClient http =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  @Test
  void anAnalystGoesFromAlertToDecisionThroughTheApi(EmbeddedKafka kafka, @TempDir Path dir)
      throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (PipelineFixtures f =
            new PipelineFixtures(kafka, dir, 1, "http.port", "0", "http.token", "s3cret-token");
        DetectionPipeline p = f.pipeline(dir.resolve("state").toString(), registry);
        AnalystServer server = new AnalystServer(f.config, p.backend(), registry).start()) {
      String base = server.baseUrl();
      assertEquals(200, get(base + "/health", null).statusCode(), "health needs no token");
      assertEquals(401, get(base + "/api/alerts", null).statusCode());
      assertEquals(401, get(base + "/api/alerts", "wrong").statusCode());
      assertEquals(
          303, get(base + "/", null).statusCode(), "the console sends strangers to the login page");

      PipelineFixtures.learn(f, p.backend(), "shop");
      f.send("shop", connect("evil.example", 4444));
      await()
          .atMost(Patience.WAIT)
          .until(
              () ->
                  get(base + "/api/alerts?service=shop", "s3cret-token")
                      .body()
                      .contains("evil.example:4444"));
      String alerts =
          get(base + "/api/alerts?reason=NEW_CONNECTION&state=OPEN", "s3cret-token").body();
      String id = field(alerts, "id");
      assertTrue(
          get(base + "/api/alerts?reason=KNOWN_BAD", "s3cret-token").body().equals("[]"),
          "filters apply");
      assertEquals(400, get(base + "/api/alerts?severity=SEVERE", "s3cret-token").statusCode());

      HttpResponse<String> detail = get(base + "/api/alerts/" + id, "s3cret-token");
      assertTrue(
          detail.body().contains("\"className\":\"com.acme.Shop\"")
              && detail.body().contains("normally connects to: db.internal:5432"),
          detail.body());

      assertEquals(
          202,
          post(base + "/api/alerts/" + id + "/ack", "s3cret-token", "{\"comment\":\"looking\"}")
              .statusCode());
      await()
          .atMost(Patience.WAIT)
          .until(
              () ->
                  get(base + "/api/alerts/" + id, "s3cret-token")
                      .body()
                      .contains("\"state\":\"ACKNOWLEDGED\""));
      assertEquals(
          202, post(base + "/api/alerts/" + id + "/accept", "s3cret-token", "{}").statusCode());
      await()
          .atMost(Patience.WAIT)
          .until(
              () ->
                  get(base + "/api/services/shop", "s3cret-token")
                      .body()
                      .contains("\"target\":\"evil.example:4444\""));
      assertTrue(
          get(base + "/api/actions", "s3cret-token").body().contains("\"comment\":\"looking\""));

      assertEquals(
          202,
          post(base + "/api/services/shop/state", "s3cret-token", "{\"state\":\"LEARNING\"}")
              .statusCode());
      await()
          .atMost(Patience.WAIT)
          .until(
              () -> p.backend().profile("shop").orElseThrow().getState() == ProfileState.LEARNING);
      assertEquals(
          400,
          post(base + "/api/services/shop/state", "s3cret-token", "{\"state\":\"ASLEEP\"}")
              .statusCode());
      assertEquals(404, get(base + "/api/alerts/nope", "s3cret-token").statusCode());
      assertEquals(405, post(base + "/api/alerts", "s3cret-token", "{}").statusCode());

      String metrics = get(base + "/metrics", "s3cret-token").body();
      assertTrue(
          metrics.contains("tripline_events_in_total")
              && metrics.contains("tripline_alerts_out_total"),
          metrics);

      // Console session: login with the token; a state change without the CSRF header is refused.
      HttpResponse<String> login =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/login"))
                  .header("Content-Type", "application/x-www-form-urlencoded")
                  .POST(HttpRequest.BodyPublishers.ofString("token=s3cret-token"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(303, login.statusCode());
      String cookies =
          String.join(
              "; ",
              login.headers().allValues("Set-Cookie").stream().map(c -> c.split(";")[0]).toList());
      assertTrue(cookies.contains("tripline_session="), cookies);
      HttpResponse<String> page =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/")).header("Cookie", cookies).build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, page.statusCode());
      HttpResponse<String> noCsrf =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/api/services/shop/state"))
                  .header("Cookie", cookies)
                  .POST(HttpRequest.BodyPublishers.ofString("{\"state\":\"MONITORING\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(403, noCsrf.statusCode());
    }
  }

  /**
   * Hostile requests get precise answers (issue 12 items 5 and 8), instance health reaches the API
   * and the CLI (issue 11 item 6), and the CLI never hands an attacker's control characters to the
   * terminal.
   */
  @Test
  void hostileInputGetsPreciseAnswersAndTheTerminalStaysSafe(EmbeddedKafka kafka, @TempDir Path dir)
      throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (PipelineFixtures f =
            new PipelineFixtures(kafka, dir, 1, "http.port", "0", "http.token", "s3cret-token");
        DetectionPipeline p = f.pipeline(dir.resolve("state").toString(), registry);
        AnalystServer server = new AnalystServer(f.config, p.backend(), registry).start();
        KafkaProducer<String, byte[]> producer =
            new KafkaProducer<>(
                Map.of("bootstrap.servers", kafka.bootstrapServers()),
                new StringSerializer(),
                new ByteArraySerializer())) {
      String base = server.baseUrl();
      PipelineFixtures.learn(f, p.backend(), "shop");
      String evilPath = "/srv/shop/\u001b]0;pwned\u0007x\rhidden.txt";
      f.send("shop", PipelineFixtures.read(evilPath));
      await()
          .atMost(Patience.WAIT)
          .until(
              () ->
                  get(base + "/api/alerts?service=shop&reason=NEW_FILE_ACCESS", "s3cret-token")
                      .body()
                      .contains("pwned"));
      String id =
          field(
              get(base + "/api/alerts?service=shop&reason=NEW_FILE_ACCESS", "s3cret-token").body(),
              "id");

      // Bodies are JSON objects with known fields of the right type, or a 400 that names the
      // problem.
      String ack = base + "/api/alerts/" + id + "/ack";
      assertError(post(ack, "s3cret-token", "{not json"), 400, "malformed JSON");
      assertError(post(ack, "s3cret-token", "[]"), 400, "must be a JSON object");
      assertError(
          post(ack, "s3cret-token", "{\"comment\":5}"), 400, "field 'comment' must be a string");
      assertError(
          post(ack, "s3cret-token", "{\"coment\":\"typo\"}"), 400, "unknown field 'coment'");
      assertError(post(ack, "s3cret-token", "{\"comment\":\"x\"} {}"), 400, "malformed JSON");
      assertError(
          post(ack, "s3cret-token", "{\"comment\":\"" + "x".repeat(9000) + "\"}"),
          400,
          "field 'comment' is longer than 8192");
      assertError(
          post(ack, "s3cret-token", "[".repeat(5000) + "]".repeat(5000)), 400, "nesting depth");
      String state = base + "/api/services/shop/state";
      assertError(post(state, "s3cret-token", "xx\"state\":\"LEARNING\"xx"), 400, "malformed JSON");
      assertError(post(state, "s3cret-token", "{\"state\":NaN}"), 400, "malformed JSON");
      assertError(post(state, "s3cret-token", "{\"state\":1d}"), 400, "malformed JSON");
      assertError(post(state, "s3cret-token", "{\"state\":\"ASLEEP\"}"), 400, "field 'state'");
      assertEquals(
          202,
          post(ack, "s3cret-token", "{\"comment\":\"" + "c".repeat(3000) + "\"}").statusCode(),
          "a long comment works");
      await()
          .atMost(Patience.WAIT)
          .until(
              () -> get(base + "/api/actions", "s3cret-token").body().contains("c".repeat(3000)));

      // Unknown ids are 404 on every method; bad query parameters are 400 naming the parameter.
      assertError(get(base + "/api/alerts/no-such-alert", "s3cret-token"), 404, "no-such-alert");
      assertError(
          post(base + "/api/alerts/no-such-alert/ack", "s3cret-token", "{}"), 404, "no-such-alert");
      assertError(
          post(base + "/api/alerts/no-such-alert/accept", "s3cret-token", ""),
          404,
          "no-such-alert");
      assertError(get(base + "/api/services/nobody", "s3cret-token"), 404, "nobody");
      assertError(
          post(base + "/api/services/nobody/state", "s3cret-token", "{\"state\":\"LEARNING\"}"),
          404,
          "nobody");
      assertError(
          get(base + "/api/alerts?limit=abc", "s3cret-token"), 400, "query parameter 'limit'");
      assertError(
          get(base + "/api/actions?limit=-1", "s3cret-token"), 400, "query parameter 'limit'");
      assertError(get(base + "/api/nothing-here", "s3cret-token"), 404, "no such endpoint");
      HttpResponse<String> wrongMethod =
          http.send(
              HttpRequest.newBuilder(URI.create(ack))
                  .header("Authorization", "Bearer s3cret-token")
                  .DELETE()
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(405, wrongMethod.statusCode());
      assertEquals("POST", wrongMethod.headers().firstValue("Allow").orElse(""));
      assertTrue(
          get(base + "/metrics", "s3cret-token")
              .body()
              .contains("tripline_http_rejected_total{reason=\"malformed_body\"} 10.0"));

      // A half-blind instance: its heartbeat's health is shown per instance.
      AgentHealth health =
          AgentHealth.newBuilder()
              .setEventsDropped(42)
              .putDroppedByReason("queue_full", 42)
              .setStringsTruncated(7)
              .addConfigWarnings("unknown key 'tripline.\u001b[2Jcapture' ignored")
              .addHooksApplied("file-open")
              .addHooksApplied("net-connect")
              .addHooksMissing("unix-socket-connect")
              .build();
      EventBatch heartbeat =
          EventBatch.newBuilder()
              .setSchemaVersion(Schema.VERSION)
              .setHealth(health)
              .setAgent(
                  AgentIdentity.newBuilder()
                      .setService("shop")
                      .setInstanceId("i-blind")
                      .setHost("node-7"))
              .build();
      // Heartbeats repeat (every 30 s from a real agent); the profile view is republished at most
      // every 2 s.
      await()
          .atMost(Patience.WAIT)
          .pollInterval(Duration.ofMillis(700))
          .until(
              () -> {
                producer
                    .send(
                        new ProducerRecord<>(
                            f.config.get(CollectorKeys.TOPIC_EVENTS),
                            "shop",
                            heartbeat.toByteArray()))
                    .get(Patience.WAIT.toSeconds(), TimeUnit.SECONDS);
                return get(base + "/api/services/shop", "s3cret-token").body().contains("i-blind");
              });
      Map<String, Object> profile =
          Json.object(get(base + "/api/services/shop", "s3cret-token").body());
      Map<?, ?> blind =
          ((List<?>) profile.get("instances"))
              .stream()
                  .map(o -> (Map<?, ?>) o)
                  .filter(i -> i.get("instanceId").equals("i-blind"))
                  .findFirst()
                  .orElseThrow();
      assertEquals("DEGRADED", blind.get("status"));
      assertEquals(List.of("unix-socket-connect"), blind.get("hooksMissing"));
      assertEquals(List.of("file-open", "net-connect"), blind.get("hooksApplied"));
      assertEquals(
          List.of("unknown key 'tripline.\u001b[2Jcapture' ignored"), blind.get("configWarnings"));
      assertEquals(42L, blind.get("eventsDropped"));
      assertEquals(Map.of("queue_full", 42L), blind.get("droppedByReason"));
      assertEquals(7L, blind.get("stringsTruncated"));
      assertTrue(
          get(base + "/api/services", "s3cret-token")
              .body()
              .contains("\"hooksMissing\":[\"unix-socket-connect\"]"));

      // The CLI against the real server: control characters from the path and the warning arrive
      // escaped.
      Path tokenFile = Files.writeString(dir.resolve("token"), "s3cret-token");
      String alerts =
          cli(
              new AlertsCommand(),
              "--url",
              base,
              "--token-file",
              tokenFile.toString(),
              "--service",
              "shop");
      assertTrue(alerts.contains("/srv/shop/\\x1b]0;pwned\\x07x\\rhidden.txt"), alerts);
      assertNoControlCharacters(alerts);
      String shown =
          cli(new ProfileCommand(), "--url", base, "--token-file", tokenFile.toString(), "shop");
      assertTrue(
          shown.contains("DEGRADED")
              && shown.contains("1 hook(s) missing: unix-socket-connect")
              && shown.contains("42 event(s) dropped")
              && shown.contains("config warning: unknown key 'tripline.\\x1b[2Jcapture' ignored"),
          shown);
      assertNoControlCharacters(shown);

      // Retiring a service (issue 21, case 5: frees a services.max slot) through the CLI and API,
      // audited with the actor.
      String retired =
          cli(
              new RetireCommand(),
              "--url",
              base,
              "--token-file",
              tokenFile.toString(),
              "--comment",
              "decommissioned",
              "shop");
      assertTrue(retired.contains("Retired shop"), retired);
      await().atMost(Patience.WAIT).until(() -> p.backend().profile("shop").isEmpty());
      await()
          .atMost(Patience.WAIT)
          .until(
              () ->
                  p.backend().actions(20).stream()
                      .anyMatch(
                          a ->
                              a.getType()
                                      == dev.tripline.model.AnalystAction.ActionType.RETIRE_SERVICE
                                  && a.getService().equals("shop")
                                  && a.getComment().equals("decommissioned")));
    }
  }

  /**
   * Issue 21 case 8: a service named with '/' and a space (the docs' own example) is viewed and
   * managed through the API, the CLI and the console's encoding (each path segment percent-encoded,
   * decoded only after the path is split).
   */
  @Test
  void aServiceNamedWithASlashCanBeViewedAndManaged(EmbeddedKafka kafka, @TempDir Path dir)
      throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (PipelineFixtures f =
            new PipelineFixtures(kafka, dir, 1, "http.port", "0", "http.token", "s3cret-token");
        DetectionPipeline p = f.pipeline(dir.resolve("state").toString(), registry);
        AnalystServer server = new AnalystServer(f.config, p.backend(), registry).start()) {
      String base = server.baseUrl();
      String name = "Order Service/v2";
      PipelineFixtures.learn(f, p.backend(), name);
      String encoded = "Order%20Service%2Fv2"; // as encodeURIComponent (the console) sends it
      HttpResponse<String> shown = get(base + "/api/services/" + encoded, "s3cret-token");
      assertEquals(200, shown.statusCode(), shown.body());
      assertEquals(name, Json.object(shown.body()).get("service"));
      assertEquals(
          202,
          post(
                  base + "/api/services/" + encoded + "/state",
                  "s3cret-token",
                  "{\"state\":\"LEARNING\"}")
              .statusCode());
      await()
          .atMost(Patience.WAIT)
          .until(() -> p.backend().profile(name).orElseThrow().getState() == ProfileState.LEARNING);
      // The slash is part of the name, never a path separator: the unencoded form is another path.
      assertError(get(base + "/api/services/Order%20Service/v2", "s3cret-token"), 404, "no such");

      Path tokenFile = Files.writeString(dir.resolve("token"), "s3cret-token");
      String cliShown =
          cli(new ProfileCommand(), "--url", base, "--token-file", tokenFile.toString(), name);
      assertTrue(cliShown.contains(name) && cliShown.contains("LEARNING"), cliShown);
    }
  }

  /** Runs a CLI command in-process and returns what it printed. */
  private static String cli(Object command, String... args) {
    PrintStream original = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      assertEquals(0, new CommandLine(command).execute(args));
    } finally {
      System.setOut(original);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static void assertNoControlCharacters(String printed) {
    for (char c : printed.toCharArray()) {
      boolean control = (c < 0x20 && c != '\n') || (c >= 0x7f && c <= 0x9f);
      assertTrue(!control, "raw control character U+" + Integer.toHexString(c) + " in: " + printed);
    }
  }

  private static void assertError(HttpResponse<String> r, int status, String says) {
    assertEquals(status, r.statusCode(), r.body());
    Map<String, Object> error = Json.object(r.body());
    assertEquals((long) status, error.get("status"));
    assertTrue(String.valueOf(error.get("error")).contains(says), r.body());
  }

  private HttpResponse<String> get(String url, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
    if (token != null) b.header("Authorization", "Bearer " + token);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String url, String token, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String field(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\":\"([^\"]+)\"").matcher(json);
    assertTrue(m.find(), json);
    return m.group(1);
  }
}

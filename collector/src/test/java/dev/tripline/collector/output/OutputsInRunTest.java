package dev.tripline.collector.output;

import static dev.tripline.collector.pipeline.PipelineFixtures.connect;
import static dev.tripline.collector.pipeline.PipelineFixtures.spawn;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.collector.CollectorApp;
import dev.tripline.collector.api.AnalystBackend;
import dev.tripline.collector.json.Json;
import dev.tripline.collector.pipeline.PipelineFixtures;
import dev.tripline.kafka.EmbeddedKafka;
import dev.tripline.kafka.KafkaBroker;
import dev.tripline.model.Alert;
import dev.tripline.model.AlertReason;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Outputs inside {@code run} (CollectorApp): detection raises alerts at its own pace while one
 * output hangs on every request; the other output, the API and {@code /metrics} report it.
 */
@ExtendWith(KafkaBroker.class)
class OutputsInRunTest {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final String TOKEN = "outputs-test-token-0123456789";
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void aHangingOutputSlowsNeitherDetectionNorTheOtherOutputAndTheApiTellsWhich(
      EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
    try (Receiver stuck = new Receiver(Receiver.Failure.HANG, 1_000);
        Receiver fast = new Receiver(Receiver.Failure.NONE, 0);
        PipelineFixtures f =
            new PipelineFixtures(
                kafka,
                dir,
                1,
                "http.port",
                "0",
                "http.token",
                TOKEN,
                "output.stuck.type",
                "webhook",
                "output.stuck.url",
                stuck.url("/hook"),
                "output.stuck.timeout",
                "2s",
                "output.fast.type",
                "webhook",
                "output.fast.url",
                fast.url("/hook"),
                "output.fast.format",
                "api")) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (CollectorApp app =
          new CollectorApp(f.config, new PrintStream(out, true, StandardCharsets.UTF_8)).start()) {
        assertTrue(app.outputs().awaitAssigned(WAIT));
        AnalystBackend backend = app.backend();
        PipelineFixtures.learn(f, backend, "shop");
        f.send("shop", connect("evil.example", 4444));
        await().atMost(WAIT).until(() -> fast.requests.size() >= 1);
        await().atMost(WAIT).until(() -> stuck.requests.size() >= 1); // now hanging on it
        // While the stuck output hangs (and retries) on the first alert, detection raises the next
        // and the fast output delivers it.
        f.send("shop", spawn("/bin/sh", "-c", "id"));
        await()
            .atMost(WAIT)
            .until(
                () ->
                    backend.alerts(AnalystBackend.AlertQuery.all(10)).stream()
                        .anyMatch(a -> a.getReason() == AlertReason.KNOWN_BAD));
        // every alert detection raised (the new connection, the shell, whatever else) reaches it
        await().atMost(WAIT).until(() -> Set.copyOf(ids(fast)).equals(raised(backend)));
        assertTrue(raised(backend).size() >= 2);
        assertTrue(
            stuck.requests.stream().map(r -> r.header("X-Tripline-Alert-Id")).distinct().count()
                == 1,
            "the stuck output is still on the first alert (order kept)");

        String base = app.consoleUrl();
        assertEquals(401, get(base + "/api/outputs", null).statusCode());
        await()
            .atMost(WAIT)
            .until(() -> get(base + "/api/outputs", TOKEN).body().contains("\"FAILING\""));
        List<Object> outputs = Json.array(get(base + "/api/outputs", TOKEN).body());
        Map<String, Map<String, Object>> byName = new java.util.HashMap<>();
        for (Object o : outputs) {
          @SuppressWarnings("unchecked")
          Map<String, Object> m = (Map<String, Object>) o;
          byName.put((String) m.get("name"), m);
        }
        assertEquals("FAILING", byName.get("stuck").get("status"));
        assertTrue(
            ((String) byName.get("stuck").get("error")).contains("no answer"), byName.toString());
        assertEquals("OK", byName.get("fast").get("status"));
        assertTrue((Long) byName.get("fast").get("delivered") >= raised(backend).size());
        assertTrue((Long) byName.get("fast").get("lastSuccessMs") > 0);

        HttpResponse<String> test = post(base + "/api/outputs/fast/test", TOKEN, null);
        assertEquals(200, test.statusCode(), test.body());
        assertEquals(true, Json.object(test.body()).get("delivered"));
        await()
            .atMost(WAIT)
            .until(
                () ->
                    fast.requests.stream()
                        .anyMatch(r -> r.header("X-Tripline-Event").equals("test")));
        assertEquals(404, post(base + "/api/outputs/nosuch/test", TOKEN, null).statusCode());

        String cookies = login(base);
        assertEquals(
            403,
            post(base + "/api/outputs/fast/test", null, cookies).statusCode(),
            "a session needs the CSRF header");
        String metrics = get(base + "/metrics", TOKEN).body();
        assertTrue(
            metrics.contains("tripline_output_up{output=\"fast\",type=\"webhook\"} 1"), metrics);
        assertTrue(
            metrics.contains("tripline_output_up{output=\"stuck\",type=\"webhook\"} 0"), metrics);
        assertTrue(metrics.contains("tripline_output_delivered_total{output=\"fast\"}"), metrics);
        assertTrue(
            out.toString(StandardCharsets.UTF_8)
                .contains("output 'stuck' (webhook): no answer from"));
      }
    }
  }

  static Set<String> raised(AnalystBackend backend) {
    return Set.copyOf(
        backend.alerts(AnalystBackend.AlertQuery.all(100)).stream().map(Alert::getId).toList());
  }

  static List<String> ids(Receiver r) {
    return r.bodies("/hook").stream()
        .map(b -> String.valueOf(Json.object(b).get("id")))
        .distinct()
        .toList();
  }

  private HttpResponse<String> get(String url, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
    if (token != null) b.header("Authorization", "Bearer " + token);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String url, String token, String cookies) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString("{}"));
    if (token != null) b.header("Authorization", "Bearer " + token);
    if (cookies != null) b.header("Cookie", cookies);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private String login(String base) throws Exception {
    HttpResponse<String> login =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + TOKEN))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(303, login.statusCode());
    return String.join(
        "; ", login.headers().allValues("Set-Cookie").stream().map(c -> c.split(";")[0]).toList());
  }
}

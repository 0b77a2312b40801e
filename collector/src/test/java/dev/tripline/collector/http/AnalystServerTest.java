package dev.tripline.collector.http;

import static dev.tripline.collector.pipeline.PipelineFixtures.connect;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.collector.pipeline.DetectionPipeline;
import dev.tripline.collector.pipeline.PipelineFixtures;
import dev.tripline.kafka.EmbeddedKafka;
import dev.tripline.kafka.KafkaBroker;
import dev.tripline.model.ProfileState;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The REST API end to end: real broker, real pipeline, real HTTP. */
@ExtendWith(KafkaBroker.class)
class AnalystServerTest {
  private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  @Test
  void anAnalystGoesFromAlertToDecisionThroughTheApi(EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (PipelineFixtures f = new PipelineFixtures(kafka, dir, 1, "http.port", "0", "http.token", "s3cret-token");
         DetectionPipeline p = f.pipeline(dir.resolve("state").toString(), registry);
         AnalystServer server = new AnalystServer(f.config, p.backend(), registry).start()) {
      String base = server.baseUrl();
      assertEquals(200, get(base + "/health", null).statusCode(), "health needs no token");
      assertEquals(401, get(base + "/api/alerts", null).statusCode());
      assertEquals(401, get(base + "/api/alerts", "wrong").statusCode());
      assertEquals(303, get(base + "/", null).statusCode(), "the console sends strangers to the login page");

      PipelineFixtures.learn(f, p.backend(), "shop");
      f.send("shop", connect("evil.example", 4444));
      await().atMost(Duration.ofSeconds(30)).until(() -> get(base + "/api/alerts?service=shop", "s3cret-token").body().contains("evil.example:4444"));
      String alerts = get(base + "/api/alerts?reason=NEW_CONNECTION&state=OPEN", "s3cret-token").body();
      String id = field(alerts, "id");
      assertTrue(get(base + "/api/alerts?reason=KNOWN_BAD", "s3cret-token").body().equals("[]"), "filters apply");
      assertEquals(400, get(base + "/api/alerts?severity=SEVERE", "s3cret-token").statusCode());

      HttpResponse<String> detail = get(base + "/api/alerts/" + id, "s3cret-token");
      assertTrue(detail.body().contains("\"className\":\"com.acme.Shop\"") && detail.body().contains("normally connects to: db.internal:5432"), detail.body());

      assertEquals(202, post(base + "/api/alerts/" + id + "/ack", "s3cret-token", "{\"comment\":\"looking\"}").statusCode());
      await().atMost(Duration.ofSeconds(15)).until(() -> get(base + "/api/alerts/" + id, "s3cret-token").body().contains("\"state\":\"ACKNOWLEDGED\""));
      assertEquals(202, post(base + "/api/alerts/" + id + "/accept", "s3cret-token", "{}").statusCode());
      await().atMost(Duration.ofSeconds(15)).until(() -> get(base + "/api/services/shop", "s3cret-token").body()
          .contains("\"target\":\"evil.example:4444\""));
      assertTrue(get(base + "/api/actions", "s3cret-token").body().contains("\"comment\":\"looking\""));

      assertEquals(202, post(base + "/api/services/shop/state", "s3cret-token", "{\"state\":\"LEARNING\"}").statusCode());
      await().atMost(Duration.ofSeconds(15)).until(() -> p.backend().profile("shop").orElseThrow().getState() == ProfileState.LEARNING);
      assertEquals(400, post(base + "/api/services/shop/state", "s3cret-token", "{\"state\":\"ASLEEP\"}").statusCode());
      assertEquals(404, get(base + "/api/alerts/nope", "s3cret-token").statusCode());
      assertEquals(405, post(base + "/api/alerts", "s3cret-token", "{}").statusCode());

      String metrics = get(base + "/metrics", "s3cret-token").body();
      assertTrue(metrics.contains("tripline_events_in_total") && metrics.contains("tripline_alerts_out_total"), metrics);

      // Console session: login with the token; a state change without the CSRF header is refused.
      HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create(base + "/login"))
          .header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString("token=s3cret-token")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(303, login.statusCode());
      String cookies = String.join("; ", login.headers().allValues("Set-Cookie").stream().map(c -> c.split(";")[0]).toList());
      assertTrue(cookies.contains("tripline_session="), cookies);
      HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(base + "/")).header("Cookie", cookies).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, page.statusCode());
      HttpResponse<String> noCsrf = http.send(HttpRequest.newBuilder(URI.create(base + "/api/services/shop/state"))
          .header("Cookie", cookies).POST(HttpRequest.BodyPublishers.ofString("{\"state\":\"MONITORING\"}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(403, noCsrf.statusCode());
    }
  }

  private HttpResponse<String> get(String url, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
    if (token != null) b.header("Authorization", "Bearer " + token);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String url, String token, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String field(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\":\"([^\"]+)\"").matcher(json);
    assertTrue(m.find(), json);
    return m.group(1);
  }
}

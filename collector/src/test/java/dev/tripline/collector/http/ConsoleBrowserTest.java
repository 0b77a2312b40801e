package dev.tripline.collector.http;

import static dev.tripline.collector.pipeline.PipelineFixtures.connect;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tripline.collector.pipeline.DetectionPipeline;
import dev.tripline.collector.pipeline.PipelineFixtures;
import dev.tripline.kafka.EmbeddedKafka;
import dev.tripline.kafka.KafkaBroker;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The console in a real headless Chromium: sign in, see a new alert appear, accept it, see the profile and its instances, sign out. */
@ExtendWith(KafkaBroker.class)
class ConsoleBrowserTest {

  @Test
  void anAnalystAcceptsANewAlertInTheConsole(EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
    if (!WebDriver.available()) {
      // CI installs Debian's chromium and chromium-driver (.ci/run): there, their absence is a failure.
      if ("true".equals(System.getenv("CI"))) {
        fail("CI=true but /usr/bin/chromium or /usr/bin/chromedriver is missing");
      }
      assumeTrue(false, "chromium/chromedriver not installed: apt-get install chromium chromium-driver");
    }
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (PipelineFixtures f = new PipelineFixtures(kafka, dir, 1, "http.port", "0", "http.token", "browser-token");
         DetectionPipeline p = f.pipeline(dir.resolve("state").toString(), registry);
         AnalystServer server = new AnalystServer(f.config, p.backend(), registry).start();
         WebDriver browser = new WebDriver(dir)) {
      PipelineFixtures.learn(f, p.backend(), "shop");

      browser.open(server.baseUrl() + "/");
      waitFor(browser, 10, "the login page", () -> browser.find("#token") != null);
      browser.type("#token", "browser-token");
      browser.click("#signin");
      waitFor(browser, 10, "the alert list after signing in", () -> browser.find("#alerts") != null);

      // The alert appears while the page is open (live updates).
      f.send("shop", connect("c2.attacker.example", 8443));
      waitFor(browser, 30, "the new alert", () -> browser.text("#alerts tbody").contains("c2.attacker.example:8443"));
      browser.click("#alerts tbody tr");
      waitFor(browser, 10, "the alert detail with its call site", () -> browser.text("#alert-detail").contains("com.acme.Shop.call:42"));
      browser.screenshot(dir.getParent().resolve("console-alert.png"));
      browser.type("#comment", "new CDN, approved in CHG-1234");
      browser.click("#btn-accept");
      waitFor(browser, 15, "the accepted state", () -> browser.text("#alert-state").equals("ACCEPTED"));

      browser.click("#to-service");
      waitFor(browser, 15, "the accepted entry in the profile", () -> browser.text("#profile").contains("c2.attacker.example:8443")
          && browser.text("#profile").contains("accepted by admin"));
      browser.screenshot(Path.of("target", "console-profile.png"));
      // The service page lists its instances with their health (issue 11 item 6).
      waitFor(browser, 10, "the instance with its health", () -> browser.text("#instances").contains("i-1")
          && browser.text("#instances").contains("OK"));

      // Sign out ends the session on the server: the console sends the browser back to the login page.
      browser.click("#signout");
      waitFor(browser, 10, "the login page after signing out", () -> browser.find("#token") != null);
      browser.open(server.baseUrl() + "/");
      waitFor(browser, 10, "the login page for the ended session", () -> browser.find("#token") != null);
    }
  }

  /** Waits for the page to reach a state; on timeout the failure carries what the browser shows. */
  private static void waitFor(WebDriver browser, int seconds, String what, Callable<Boolean> condition) throws Exception {
    try {
      await().atMost(Duration.ofSeconds(seconds)).ignoreExceptions().until(condition);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("page never showed " + what + ": " + browser.source(), e);
    }
  }
}

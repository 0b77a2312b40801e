package dev.tripline.collector.http;

import static dev.tripline.collector.pipeline.PipelineFixtures.connect;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tripline.collector.pipeline.DetectionPipeline;
import dev.tripline.collector.pipeline.PipelineFixtures;
import dev.tripline.kafka.EmbeddedKafka;
import dev.tripline.kafka.KafkaBroker;
import dev.tripline.kafka.Patience;
import dev.tripline.model.Disposition;
import dev.tripline.model.RequestContext;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The console in a real headless Chromium: sign in, see a new alert appear, accept it, see the
 * profile and its instances, set protection, see would-block evidence and an incident, sign out.
 */
@ExtendWith(KafkaBroker.class)
class ConsoleBrowserTest {

  @Test
  void anAnalystAcceptsANewAlertInTheConsole(EmbeddedKafka kafka, @TempDir Path dir)
      throws Exception {
    if (!SystemChromium.installed()) {
      // CI installs Debian's chromium and chromium-driver (.ci/run): there, their absence is a
      // failure.
      if ("true".equals(System.getenv("CI"))) {
        fail("CI=true but /usr/bin/chromium or /usr/bin/chromedriver is missing");
      }
      assumeTrue(
          false, "chromium/chromedriver not installed: apt-get install chromium chromium-driver");
    }
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (PipelineFixtures f =
            new PipelineFixtures(kafka, dir, 1, "http.port", "0", "http.token", "browser-token");
        DetectionPipeline p = f.pipeline(dir.resolve("state").toString(), registry);
        AnalystServer server = new AnalystServer(f.config, p.backend(), registry).start();
        SystemChromium chromium = new SystemChromium(dir)) {
      ChromeDriver browser = chromium.driver;
      PipelineFixtures.learn(f, p.backend(), "shop");

      browser.get(server.baseUrl() + "/");
      waitFor(browser, "the login page", () -> present(browser, "#token"));
      type(browser, "#token", "browser-token");
      click(browser, "#signin");
      waitFor(browser, "the alert list after signing in", () -> present(browser, "#alerts"));

      // The alert appears while the page is open (live updates).
      f.send("shop", connect("c2.attacker.example", 8443));
      waitFor(
          browser,
          "the new alert",
          () -> text(browser, "#alerts tbody").contains("c2.attacker.example:8443"));
      click(browser, "#alerts tbody tr");
      waitFor(
          browser,
          "the alert detail with its call site",
          () -> text(browser, "#alert-detail").contains("com.acme.Shop.call:42"));
      screenshot(browser, dir.getParent().resolve("console-alert.png"));
      type(browser, "#comment", "new CDN, approved in CHG-1234");
      click(browser, "#btn-accept");
      waitFor(
          browser, "the accepted state", () -> text(browser, "#alert-state").equals("ACCEPTED"));

      click(browser, "#to-service");
      waitFor(
          browser,
          "the accepted entry in the profile",
          () ->
              text(browser, "#profile").contains("c2.attacker.example:8443")
                  && text(browser, "#profile").contains("accepted by admin"));
      screenshot(browser, Path.of("target", "console-profile.png"));
      // The service page lists its instances with their health (issue 11 item 6).
      waitFor(
          browser,
          "the instance with its health",
          () ->
              text(browser, "#instances").contains("i-1")
                  && text(browser, "#instances").contains("OK"));
      // The service page shows its protection mode and changes it (the PUT carries the session's
      // CSRF header; issue 23). Chosen and submitted in one script: a live re-render between a
      // choice and a click would reset the choice.
      waitFor(
          browser,
          "the service's protection mode",
          () -> text(browser, "#protection-mode").equals("off"));
      ((JavascriptExecutor) browser)
          .executeScript(
              "document.querySelector('#protection-select').value = 'dry-run';"
                  + " document.querySelector('#btn-protect').click();");
      waitFor(
          browser,
          "the new protection mode, issued by the signed-in analyst",
          () ->
              text(browser, "#protection-mode").equals("dry-run")
                  && text(browser, "#protection").contains("by admin"));
      // Dry-run's evidence: nothing yet; then an agent in dry-run reports a call block mode would
      // have stopped, and the panel counts it under its call site and rule (issue 23 item 2).
      waitFor(
          browser,
          "the empty would-block evidence",
          () -> text(browser, "#would-block").contains("would have stopped no call"));
      f.send(
          "shop",
          connect("cache.internal", 6379).toBuilder()
              .setDisposition(Disposition.WOULD_BLOCK)
              .setProtectionRule("new-behaviour:NET_CONNECT")
              .build());
      waitFor(
          browser,
          "the would-block evidence by call site and rule",
          () ->
              present(browser, "#would-block-sites")
                  && text(browser, "#would-block-sites").contains("com.acme.Shop.call")
                  && text(browser, "#would-block-rules").contains("new-behaviour:NET_CONNECT")
                  && text(browser, "#would-block-kinds").contains("NET_CONNECT"));
      screenshot(browser, Path.of("target", "console-would-block.png"));

      // Alerts of one instance that share a trace id are one incident: a header row naming the
      // trace, the request and the story, then its alerts (issue 24).
      RequestContext request =
          RequestContext.newBuilder()
              .setServer("servlet")
              .setMethod("POST")
              .setRoute("/import")
              .setPath("/import")
              .setTraceId("4bf92f3577b34da6a3ce929d0e0e4736")
              .build();
      f.send(
          "shop", connect("ldap.attacker.example", 1389).toBuilder().setRequest(request).build());
      f.send(
          "shop", connect("exfil.attacker.example", 443).toBuilder().setRequest(request).build());
      browser.get(server.baseUrl() + "/");
      waitFor(
          browser,
          "one incident of the two alerts that share a trace",
          () ->
              present(browser, "#alerts tr.incident")
                  && text(browser, "#alerts tr.incident").contains("Incident · 2 alerts")
                  && text(browser, "#alerts tr.incident")
                      .contains("4bf92f3577b34da6a3ce929d0e0e4736")
                  && text(browser, "#alerts tr.incident").contains("POST /import")
                  && browser.findElements(By.cssSelector("#alerts tr.in-incident")).size() == 2);
      screenshot(browser, Path.of("target", "console-incident.png"));

      // Sign out ends the session on the server: the console sends the browser back to the login
      // page.
      click(browser, "#signout");
      waitFor(browser, "the login page after signing out", () -> present(browser, "#token"));
      browser.get(server.baseUrl() + "/");
      waitFor(browser, "the login page for the ended session", () -> present(browser, "#token"));
    }
  }

  private static boolean present(WebDriver browser, String css) {
    return !browser.findElements(By.cssSelector(css)).isEmpty();
  }

  private static void click(WebDriver browser, String css) {
    on(browser, css, WebElement::click);
  }

  private static void type(WebDriver browser, String css, String text) {
    on(browser, css, e -> e.sendKeys(text));
  }

  /** Acts on the element, found again when live updates re-render it between finding and acting. */
  private static void on(WebDriver browser, String css, Consumer<WebElement> action) {
    await()
        .atMost(Patience.WAIT)
        .ignoreException(StaleElementReferenceException.class)
        .until(
            () -> {
              action.accept(browser.findElement(By.cssSelector(css)));
              return true;
            });
  }

  /** The element's visible text, or "" while it is absent. */
  private static String text(WebDriver browser, String css) {
    List<WebElement> found = browser.findElements(By.cssSelector(css));
    return found.isEmpty() ? "" : found.get(0).getText();
  }

  private static void screenshot(TakesScreenshot browser, Path file) throws IOException {
    Files.write(file, browser.getScreenshotAs(OutputType.BYTES));
  }

  /** Waits for the page to reach a state; on timeout the failure carries what the browser shows. */
  private static void waitFor(WebDriver browser, String what, Callable<Boolean> condition) {
    try {
      await().atMost(Patience.WAIT).ignoreExceptions().until(condition);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(
          "page never showed "
              + what
              + ": "
              + browser.getPageSource()
              + " @ "
              + browser.getCurrentUrl(),
          e);
    }
  }
}

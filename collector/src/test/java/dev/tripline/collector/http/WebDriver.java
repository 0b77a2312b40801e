package dev.tripline.collector.http;

import dev.tripline.collector.json.Json;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real headless Chromium driven through chromedriver's W3C WebDriver protocol (the protocol
 * Selenium speaks), over plain HTTP: no driver download, no network.
 */
final class WebDriver implements AutoCloseable {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  /** The W3C key under which an element reference is returned. */
  private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

  private final Process driver;
  private final String base;
  private final String session;
  private final HttpClient http = HttpClient.newHttpClient();

  static boolean available() {
    return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
  }

  WebDriver(Path profileDir) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    driver = new ProcessBuilder(CHROMEDRIVER.toString(), "--port=" + port).redirectErrorStream(true)
        .redirectOutput(profileDir.resolve("chromedriver.log").toFile()).start();
    base = "http://127.0.0.1:" + port;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    String created = null;
    while (created == null) {
      try {
        created = call("POST", "/session", Map.of("capabilities", Map.of("alwaysMatch", Map.of(
            "browserName", "chrome",
            "goog:chromeOptions", Map.of("binary", CHROMIUM.toString(), "args", List.of(
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1400,900",
                "--user-data-dir=" + profileDir.resolve("chrome")))))));
      } catch (IOException e) {
        if (System.nanoTime() > deadline) throw e;
        Thread.sleep(100); // chromedriver is starting; poll its port
      }
    }
    Object answer = value(created);
    Object id = answer instanceof Map ? ((Map<?, ?>) answer).get("sessionId") : null;
    if (id == null) {
      throw new IllegalStateException("no WebDriver session: " + created);
    }
    session = "/session/" + id;
  }

  void open(String url) throws Exception {
    call("POST", session + "/url", Map.of("url", url));
  }

  /** The element's id, or null when absent. */
  String find(String css) throws Exception {
    List<?> found = (List<?>) value(call("POST", session + "/elements", Map.of("using", "css selector", "value", css)));
    return found.isEmpty() ? null : (String) ((Map<?, ?>) found.get(0)).get(ELEMENT);
  }

  void click(String css) throws Exception {
    call("POST", session + "/element/" + require(css) + "/click", Map.of());
  }

  void type(String css, String text) throws Exception {
    call("POST", session + "/element/" + require(css) + "/value", Map.of("text", text));
  }

  String text(String css) throws Exception {
    String id = find(css);
    if (id == null) return "";
    Object text = value(call("GET", session + "/element/" + id + "/text", null));
    return text == null ? "" : text.toString();
  }

  String source() throws Exception {
    return call("GET", session + "/source", null) + " @ " + call("GET", session + "/url", null);
  }

  void screenshot(Path file) throws Exception {
    Files.write(file, Base64.getDecoder().decode((String) value(call("GET", session + "/screenshot", null))));
  }

  /** The {@code value} member every WebDriver answer carries. */
  private static Object value(String answer) {
    return Json.object(answer).get("value");
  }

  private String require(String css) throws Exception {
    String id = find(css);
    if (id == null) throw new AssertionError("no element " + css);
    return id;
  }

  private String call(String method, String path, Object body) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
    b = body == null ? b.GET() : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(Json.write(body)));
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() >= 300) throw new IOException(method + " " + path + " → " + r.statusCode() + " " + r.body());
    return r.body();
  }

  @Override
  public void close() {
    try {
      if (session != null) call("DELETE", session, null);
    } catch (Exception ignored) {
      // the browser goes with the driver anyway
    }
    // Chromium and its helpers are the driver's descendants: wait until every one has exited, or
    // they still write the profile while the test's temp directory is being deleted.
    java.util.List<ProcessHandle> all = new java.util.ArrayList<>(driver.toHandle().descendants().toList());
    all.add(driver.toHandle());
    for (ProcessHandle p : all) {
      p.destroy();
    }
    for (ProcessHandle p : all) {
      try {
        p.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
      } catch (Exception slow) {
        p.destroyForcibly();
      }
    }
  }
}

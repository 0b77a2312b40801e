package dev.tripline.collector.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tripline.collector.cli.TerminalSafe;
import dev.tripline.collector.json.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The demo's alert output without any setup: a webhook receiver on loopback that checks each
 * delivery's HMAC signature, as a real receiver would, and prints the alert on the terminal.
 */
final class DemoWebhook implements AutoCloseable {
  /** The most a demo delivery may be (an alert is a few KiB). */
  private static final int MAX_BODY = 1 << 20;

  private final HttpServer server;
  private final String secret;
  private final PrintStream out;
  private final java.util.concurrent.atomic.AtomicInteger received =
      new java.util.concurrent.atomic.AtomicInteger();

  DemoWebhook(PrintStream out) throws IOException {
    this.out = out;
    byte[] key = new byte[24];
    new SecureRandom().nextBytes(key);
    this.secret = HexFormat.of().formatHex(key);
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
    server.createContext("/alerts", this::handle);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/alerts";
  }

  /** Waits until {@code n} signed alerts arrived (at most {@code timeout}); how many did. */
  int awaitReceived(int n, java.time.Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (received) {
      while (received.get() < n) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        received.wait(Math.max(1, left / 1_000_000));
      }
      return received.get();
    }
  }

  String secret() {
    return secret;
  }

  private void handle(HttpExchange ex) throws IOException {
    int status = 400;
    try {
      byte[] body = ex.getRequestBody().readNBytes(MAX_BODY);
      String ts = String.valueOf(ex.getRequestHeaders().getFirst("X-Tripline-Timestamp"));
      String sig = String.valueOf(ex.getRequestHeaders().getFirst("X-Tripline-Signature"));
      boolean signed =
          MessageDigest.isEqual(
              ("sha256=" + sign(ts, body)).getBytes(StandardCharsets.UTF_8),
              sig.getBytes(StandardCharsets.UTF_8));
      Map<String, Object> alert = Json.object(new String(body, StandardCharsets.UTF_8));
      out.println(
          "   → webhook received ("
              + (signed ? "signature ok" : "BAD SIGNATURE")
              + "): "
              + TerminalSafe.text(
                  alert.get("severity") + " " + alert.get("service") + " " + alert.get("title")));
      status = signed ? 200 : 401;
      if (signed) {
        synchronized (received) {
          received.incrementAndGet();
          received.notifyAll();
        }
      }
    } catch (RuntimeException e) {
      out.println("   → webhook received something unreadable: " + TerminalSafe.text(e));
    } finally {
      ex.sendResponseHeaders(status, -1);
      ex.close();
    }
  }

  private String sign(String ts, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update((ts + ".").getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is in every JDK", e);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}

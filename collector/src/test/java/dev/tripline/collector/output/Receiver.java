package dev.tripline.collector.output;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP receiver (the JDK's server) that records every request and answers as told: the first
 * {@code failFirst} requests get {@code failure} (500, 429 with Retry-After, a hang, a redirect to
 * itself, 10 MB), the rest 200.
 */
final class Receiver implements AutoCloseable {
  enum Failure {
    NONE,
    STATUS_500,
    STATUS_429,
    HANG,
    REDIRECT_LOOP,
    HUGE_400,
    /** 200 with a body promised, one byte sent, then nothing. */
    TRICKLE
  }

  record Request(String path, Map<String, List<String>> headers, String body) {
    String header(String name) {
      for (var e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name)) return e.getValue().get(0);
      }
      return "";
    }
  }

  final List<Request> requests = new CopyOnWriteArrayList<>();
  private final Failure failure;
  private final int failFirst;
  private final AtomicInteger seen = new AtomicInteger();
  private final CountDownLatch released = new CountDownLatch(1);
  private HttpServer server;
  private final int port;

  Receiver(Failure failure, int failFirst) throws IOException {
    this(failure, failFirst, 0);
  }

  Receiver(Failure failure, int failFirst, int port) throws IOException {
    this.failure = failure;
    this.failFirst = failFirst;
    this.server = start(port);
    this.port = server.getAddress().getPort();
  }

  private HttpServer start(int port) throws IOException {
    HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 50);
    s.setExecutor(Executors.newCachedThreadPool());
    s.createContext("/", this::handle);
    s.start();
    return s;
  }

  String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  int port() {
    return port;
  }

  /** Stops listening (connections refused) until {@link #up()}. */
  void down() {
    server.stop(0);
  }

  void up() throws IOException {
    server = start(port);
  }

  private void handle(HttpExchange ex) throws IOException {
    String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    requests.add(
        new Request(ex.getRequestURI().getPath(), Map.copyOf(ex.getRequestHeaders()), body));
    int n = seen.incrementAndGet();
    Failure f = n <= failFirst ? failure : Failure.NONE;
    switch (f) {
      case NONE -> answer(ex, 200, "ok");
      case STATUS_500 -> answer(ex, 500, "internal trouble");
      case STATUS_429 -> {
        ex.getResponseHeaders().add("Retry-After", "1");
        answer(ex, 429, "slow down");
      }
      case HANG -> {
        try {
          released.await(30, TimeUnit.SECONDS); // until the test ends: the client must time out
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        answer(ex, 200, "too late");
      }
      case REDIRECT_LOOP -> {
        ex.getResponseHeaders().add("Location", url(ex.getRequestURI().getPath()));
        ex.sendResponseHeaders(302, -1);
        ex.close();
      }
      case TRICKLE -> {
        ex.sendResponseHeaders(200, 100);
        OutputStream out = ex.getResponseBody();
        out.write('o');
        out.flush();
        try {
          released.await(30, TimeUnit.SECONDS); // the rest never comes while the test runs
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        ex.close();
      }
      case HUGE_400 -> {
        ex.sendResponseHeaders(400, 10L << 20);
        try (OutputStream out = ex.getResponseBody()) {
          byte[] chunk = new byte[64 << 10];
          java.util.Arrays.fill(chunk, (byte) 'x');
          for (int i = 0; i < 160; i++) out.write(chunk);
        } catch (IOException e) {
          // the client stopped reading after its cap: expected
        }
      }
    }
  }

  private static void answer(HttpExchange ex, int status, String text) throws IOException {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(b);
    } catch (IOException e) {
      // the client gave up (timeout): it will retry
    }
  }

  /** Bodies of the requests to {@code path}, in arrival order. */
  List<String> bodies(String path) {
    List<String> out = new ArrayList<>();
    for (Request r : requests) if (r.path().equals(path)) out.add(r.body());
    return out;
  }

  @Override
  public void close() {
    released.countDown();
    server.stop(0);
  }
}

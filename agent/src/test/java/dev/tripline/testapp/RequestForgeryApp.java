package dev.tripline.testapp;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A payload that forges request scopes through the bridge's public {@code TriplineBridge.report},
 * with every hook number and guesses at the woven token: inside a real request it closes every
 * scope (to hide the request from what it does next) and reads a file; outside any request, it
 * opens scopes with a real request's object kept from earlier (to pin a request on what it does)
 * and reads another. Usage: RequestForgeryApp <files dir> [agent]
 */
public final class RequestForgeryApp {
  private static final int HOOK_NUMBERS = 512;

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Files.createDirectories(dir);
    for (String name : new String[] {"cleared", "forged"}) {
      Files.writeString(dir.resolve(name + ".txt"), name);
    }
    if (args.length > 1 && args[1].equals("agent")) {
      AgentReady.await();
    }
    Method report =
        Class.forName("dev.tripline.bootstrap.TriplineBridge")
            .getMethod("report", int.class, Object.class, Object.class, int.class, Throwable.class);
    AtomicReference<HttpExchange> kept = new AtomicReference<>();
    ExecutorService pool = Executors.newSingleThreadExecutor(r -> new Thread(r, "request-pool"));
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(pool);
    server.createContext(
        "/",
        exchange -> {
          kept.set(exchange);
          try {
            sweep(report, exchange, 0); // every scope closed, as far as the bridge goes
          } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
          }
          Files.readAllBytes(dir.resolve("cleared.txt"));
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    server.start();
    try (Socket s = new Socket("127.0.0.1", server.getAddress().getPort())) {
      OutputStream out = s.getOutputStream();
      out.write(
          "GET /hidden HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      System.out.println("status: " + new String(in.readAllBytes(), StandardCharsets.US_ASCII));
    } finally {
      server.stop(0);
      pool.shutdown();
    }
    sweep(report, kept.get(), 1); // a scope opened on this thread with the earlier request
    Files.readAllBytes(dir.resolve("forged.txt"));
    System.out.println("FORGERYAPP DONE");
  }

  /**
   * Every hook number, with the plain entry/exit value and with guesses at the woven code's token
   * (the extremes and a few random ints): none may open or close a scope.
   */
  private static void sweep(Method report, Object request, int entry)
      throws ReflectiveOperationException {
    java.util.Random random = new java.util.Random();
    int[] guesses = {
      entry, 2, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, random.nextInt(), random.nextInt()
    };
    for (int hook = 0; hook < HOOK_NUMBERS; hook++) {
      for (int n : guesses) {
        report.invoke(null, hook, request, null, n, null);
      }
    }
  }

  private RequestForgeryApp() {}
}

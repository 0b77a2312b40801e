package dev.tripline.testapp;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A JDK {@code HttpServer} whose handler, for each request, has another thread read a file: an
 * executor's task (submit, execute), a scheduled executor's delayed task, a fork-join task, {@code
 * CompletableFuture.*Async} (the default pool and a given one), a virtual thread (JDK 21+), and a
 * task that hands another over; and a new platform thread, which does not carry the request.
 * Afterwards the same one-thread pools run tasks outside any request. Prints each response's status
 * and which thread read what. Usage: HandoffRequestApp <files dir> [agent]
 */
public final class HandoffRequestApp {
  static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  static final String[] DURING = {
    "submit", "execute", "scheduled", "forkjoin", "async", "asyncpool", "virtual", "chain", "thread"
  };
  static final String[] AFTER = {
    "after-submit", "after-scheduled", "after-forkjoin", "after-asyncpool", "after-chain"
  };

  private static Path dir = Path.of(".");
  private static ScheduledExecutorService scheduled;

  public static void main(String[] args) throws Exception {
    dir = Path.of(args[0]);
    Files.createDirectories(dir);
    for (String name : DURING) {
      Files.writeString(dir.resolve(name + ".txt"), name);
    }
    for (String name : AFTER) {
      Files.writeString(dir.resolve(name + ".txt"), name);
    }
    if (args.length > 1 && args[1].equals("agent")) {
      AgentReady.await();
    }
    ExecutorService pool = Executors.newFixedThreadPool(1, r -> new Thread(r, "task-pool"));
    ForkJoinPool forkJoin = new ForkJoinPool(1);
    scheduled = Executors.newScheduledThreadPool(1, r -> new Thread(r, "scheduled-pool"));
    ExecutorService serving = Executors.newSingleThreadExecutor(r -> new Thread(r, "request-pool"));
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(serving);
    server.createContext("/", exchange -> serve(exchange, pool, forkJoin));
    server.start();
    int port = server.getAddress().getPort();
    try {
      for (String name : DURING) {
        System.out.println("status " + name + ": " + send(port, name));
      }
      // the same pooled threads, after the requests: no request
      pool.submit(() -> read("after-submit")).get();
      scheduled.submit(() -> read("after-scheduled")).get();
      forkJoin.submit(() -> read("after-forkjoin")).get();
      CompletableFuture.runAsync(() -> read("after-asyncpool"), forkJoin).join();
      pool.submit(() -> forkJoin.submit(() -> read("after-chain")).get()).get();
    } finally {
      server.stop(0);
      serving.shutdown();
      pool.shutdown();
      scheduled.shutdown();
      forkJoin.shutdown();
    }
    System.out.println("HANDOFFAPP DONE");
  }

  private static void serve(HttpExchange exchange, ExecutorService pool, ForkJoinPool forkJoin)
      throws IOException {
    String name = exchange.getRequestURI().getPath().substring(1);
    try {
      switch (name) {
        case "submit":
          pool.submit(() -> read(name)).get();
          break;
        case "execute":
          CountDownLatch done = new CountDownLatch(1);
          pool.execute(
              () -> {
                read(name);
                done.countDown();
              });
          done.await();
          break;
        case "scheduled":
          scheduled.schedule(() -> read(name), 10, TimeUnit.MILLISECONDS).get();
          break;
        case "forkjoin":
          forkJoin.submit(() -> read(name)).get();
          break;
        case "async":
          CompletableFuture.runAsync(() -> read(name)).join();
          break;
        case "asyncpool":
          CompletableFuture.runAsync(() -> read(name), forkJoin).join();
          break;
        case "thread":
          Thread t = new Thread(() -> read(name), "started-thread");
          t.start();
          t.join();
          break;
        case "virtual":
          virtual(() -> read(name));
          break;
        case "chain":
          pool.submit(() -> forkJoin.submit(() -> read(name)).get()).get();
          break;
        default:
          break;
      }
      exchange.sendResponseHeaders(200, -1);
    } catch (Exception e) {
      System.out.println("failed " + name + ": " + e);
      exchange.sendResponseHeaders(500, -1);
    } finally {
      exchange.close();
    }
  }

  /** Thread.startVirtualThread (JDK 21+, by reflection: the app compiles for 11). */
  private static void virtual(Runnable task) throws Exception {
    Method start;
    try {
      start = Thread.class.getMethod("startVirtualThread", Runnable.class);
    } catch (NoSuchMethodException e) {
      System.out.println("no virtual threads");
      return;
    }
    ((Thread) start.invoke(null, task)).join();
  }

  private static Object read(String name) {
    try {
      Files.readAllBytes(dir.resolve(name + ".txt"));
      System.out.println("read " + name + " on " + Thread.currentThread());
      return name;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** One GET /name, with a forwarded chain and a traceparent; the response's status line. */
  private static String send(int port, String name) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      OutputStream out = s.getOutputStream();
      out.write(
          ("GET /"
                  + name
                  + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                  + "X-Forwarded-For: 203.0.113.7\r\ntraceparent: "
                  + TRACEPARENT
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      StringBuilder line = new StringBuilder();
      for (int c = in.read(); c >= 0 && c != '\r' && c != '\n'; c = in.read()) {
        line.append((char) c);
      }
      in.readAllBytes();
      return line.toString();
    } catch (IOException e) {
      return e.getClass().getSimpleName();
    }
  }

  private HandoffRequestApp() {}
}

package dev.tripline.testapp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * File reads handed to other threads: an executor task, a CompletableFuture's async supplier, a
 * virtual thread (JDK 21+, by reflection: this code compiles for 17), a platform thread. Each task
 * reads its own file, so each event tells which hand-off it came through. Usage: HandoffApp <work
 * dir>
 */
public final class HandoffApp {
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Files.createDirectories(dir);
    for (String name : new String[] {"executor", "async", "virtual", "thread"}) {
      Files.writeString(dir.resolve(name + ".txt"), name);
    }
    runOnExecutor(dir.resolve("executor.txt"));
    runAsync(dir.resolve("async.txt"));
    System.out.println(
        "java "
            + Runtime.version().feature()
            + ", virtual thread: "
            + runOnVirtualThread(dir.resolve("virtual.txt")));
    runOnThread(dir.resolve("thread.txt"));
    System.out.println("http port " + sendAsync());
    System.out.println("HANDOFFAPP DONE");
  }

  /**
   * The JDK HttpClient connects on its own worker threads (only JDK frames there): the connection
   * must still name this method, which asked for it. Returns the local server's port.
   */
  static int sendAsync() throws Exception {
    com.sun.net.httpserver.HttpServer server =
        com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        x -> {
          x.sendResponseHeaders(204, -1);
          x.close();
        });
    server.start();
    try {
      int port = server.getAddress().getPort();
      java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
      client
          .sendAsync(
              java.net.http.HttpRequest.newBuilder(
                      java.net.URI.create("http://localhost:" + port + "/"))
                  .build(),
              java.net.http.HttpResponse.BodyHandlers.discarding())
          .get(30, TimeUnit.SECONDS);
      return port;
    } finally {
      server.stop(0);
    }
  }

  static void runOnExecutor(Path file) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(1);
    try {
      pool.submit(() -> Files.readAllBytes(file).length).get(30, TimeUnit.SECONDS);
    } finally {
      pool.shutdown();
    }
  }

  /**
   * On the common pool (the test gives it a parallelism of 2: with 1, CompletableFuture starts a
   * thread per task).
   */
  static void runAsync(Path file) throws Exception {
    CompletableFuture.supplyAsync(
            () -> {
              try {
                return Files.readAllBytes(file).length;
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            })
        .get(30, TimeUnit.SECONDS);
  }

  static boolean runOnVirtualThread(Path file) throws Exception {
    Runnable task =
        () -> {
          try {
            Files.readAllBytes(file);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        };
    Thread t;
    try {
      t = (Thread) Thread.class.getMethod("startVirtualThread", Runnable.class).invoke(null, task);
    } catch (NoSuchMethodException e) {
      return false; // before JDK 21
    }
    t.join(30_000);
    return true;
  }

  static void runOnThread(Path file) throws InterruptedException {
    Thread t =
        new Thread(
            () -> {
              try {
                Files.readAllBytes(file);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            },
            "app-thread");
    t.start();
    t.join(30_000);
  }
}

package dev.tripline.testapp;

import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;

/**
 * Noise before {@code main}, then what matters: a static initializer does 9 000 failed opens of
 * distinct missing files, 3 000 reads of one file and hands 12 000 tasks to a thread pool and 12
 * 000 to the common fork-join pool (a framework's start-up does), then reads a credential-like
 * file. The agent's start-up buffer must not let the noise push the credential read out. Paths from
 * system properties: {@code noise.dir} (missing files are invented there), {@code noise.file},
 * {@code secret.file}.
 */
public final class EarlyNoiseApp {
  static final int FAILED = 9_000;
  static final int REPEATS = 3_000;
  static int missing;

  static {
    String dir = System.getProperty("noise.dir");
    for (int i = 0; i < FAILED; i++) {
      try (FileInputStream in = new FileInputStream(dir + "/missing-" + i + ".properties")) {
        in.read();
      } catch (FileNotFoundException expected) {
        missing++;
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
    try {
      for (int i = 0; i < REPEATS; i++) {
        try (FileInputStream in = new FileInputStream(System.getProperty("noise.file"))) {
          in.read();
        }
      }
      tasks();
      try (FileInputStream in = new FileInputStream(System.getProperty("secret.file"))) {
        in.read();
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static final int TASKS = 12_000;

  /**
   * A task of its own class: a lambda here would be a method of this class, which a pool thread
   * could not run until this static initializer ends (it waits for them: a deadlock).
   */
  static final class Noop implements Runnable {
    @Override
    public void run() {}
  }

  /** Hand-offs carry no event of their own: they must not take the start-up buffer's room. */
  private static void tasks() {
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(2);
    java.util.List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
    for (int i = 0; i < TASKS; i++) {
      done.add(pool.submit(new Noop()));
      done.add(java.util.concurrent.ForkJoinPool.commonPool().submit(new Noop()));
    }
    try {
      for (java.util.concurrent.Future<?> f : done) {
        f.get();
      }
    } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e);
    }
    pool.shutdown();
  }

  /**
   * Exits only once the agent's JSON-lines sink holds the credential read (at most 2 minutes): the
   * replay of the start-up buffer is ordered, so everything before it was delivered too, and what
   * the agent sends at exit (its bounded exit budget) is the last repeat counts alone — a loaded
   * machine may be slow, never short of time.
   */
  public static void main(String[] args) throws Exception {
    String sink = System.getProperty("tripline.sink", "");
    String secret = System.getProperty("secret.file");
    if (sink.startsWith("jsonl:") && secret != null) {
      java.nio.file.Path events = java.nio.file.Path.of(sink.substring("jsonl:".length()));
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(2);
      while (System.nanoTime() < deadline && !delivered(events, secret)) {
        Thread.sleep(50);
      }
    }
    System.out.println("EARLY DONE " + missing);
  }

  private static boolean delivered(java.nio.file.Path events, String secret) throws IOException {
    return java.nio.file.Files.exists(events)
        && new String(
                java.nio.file.Files.readAllBytes(events), java.nio.charset.StandardCharsets.UTF_8)
            .contains(secret);
  }
}

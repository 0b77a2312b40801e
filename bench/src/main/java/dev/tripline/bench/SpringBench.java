package dev.tripline.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A realistic app: the Spring Boot executable jar of module it-spring, launch → first HTTP 200 from
 * {@code GET /ping}, without an agent, with Tripline and with OpenTelemetry, alternating. Then
 * AppCDS: an archive made once without the agent ({@code -XX:ArchiveClassesAtExit}), used ({@code
 * -XX:SharedArchiveFile}) with and without Tripline.
 */
final class SpringBench {
  private static final long FIRST_REQUEST_TIMEOUT_MS = 180_000;

  /** Between polls: a spin would take one of the machine's two cores from the JVM being timed. */
  private static final long POLL_PAUSE_MS = 5;

  private final Agents agents;
  private final Report report;
  private final int rounds;
  private final int cdsRounds;
  private final Path work;
  private final @Nullable Path jar;

  SpringBench(
      Agents agents, Report report, int rounds, int cdsRounds, Path work, @Nullable Path jar) {
    this.agents = agents;
    this.report = report;
    this.rounds = rounds;
    this.cdsRounds = cdsRounds;
    this.work = work;
    this.jar = jar;
  }

  private static final class Variant {
    final String name;
    final List<String> jvmArgs;
    final Path jar;
    final Stats firstRequest = new Stats();

    Variant(String name, List<String> jvmArgs, Path jar) {
      this.name = name;
      this.jvmArgs = jvmArgs;
      this.jar = jar;
    }
  }

  void run() throws IOException, InterruptedException {
    if (jar == null || !Files.isRegularFile(jar)) {
      report.section(
          "| Spring Boot app (it-spring) | launch → first `GET /ping` 200 |\n|---|---|\n| — | n/a: no executable jar at `"
              + jar
              + "` (-Dbench.spring.jar) |\n");
      return;
    }
    List<Variant> plain = new ArrayList<>();
    plain.add(new Variant("no agent", agents.none(), jar));
    plain.add(new Variant("Tripline, `sink=none`", agents.triplineNoSink(), jar));
    if (agents.hasOtel()) {
      plain.add(new Variant(agents.otelName() + ", exporters `none`", agents.otel(), jar));
    }
    measure(plain, "spring", rounds);
    report.section(
        table(
            "Spring Boot app, executable jar (`java -jar tripline-it-spring.jar`)", plain, rounds));

    Path appCdsJar = extract();
    Path archive = work.resolve("app.jsa");
    Files.deleteIfExists(archive);
    launch(
        appCdsJar,
        List.of("-XX:ArchiveClassesAtExit=" + archive)); // training run: archive written at exit
    if (!Files.isRegularFile(archive)) {
      report.section("AppCDS: no archive was written by `-XX:ArchiveClassesAtExit` (n/a)\n");
      return;
    }
    String useArchive = "-XX:SharedArchiveFile=" + archive;
    List<Variant> cds = new ArrayList<>();
    cds.add(new Variant("no agent, no archive", agents.none(), appCdsJar));
    cds.add(new Variant("no agent, AppCDS archive", List.of(useArchive), appCdsJar));
    cds.add(
        new Variant(
            "Tripline, `sink=none`, AppCDS archive",
            WholeProcess.concat(List.of(useArchive), agents.triplineNoSink()),
            appCdsJar));
    measure(cds, "appcds", cdsRounds);
    StringBuilder shared =
        new StringBuilder(
            "\nClasses loaded from the archive (one extra launch each, `-Xlog:class+load`):");
    for (Variant v : cds.subList(1, cds.size())) {
      Path log = work.resolve("appcds-classload.log");
      Files.deleteIfExists(log);
      launch(v.jar, WholeProcess.concat(List.of("-Xlog:class+load=info:file=" + log), v.jvmArgs));
      long total = 0;
      long fromArchive = 0;
      for (String line : Files.readAllLines(log)) {
        if (line.contains(" source: ")) {
          total++;
          fromArchive += line.contains("source: shared objects file") ? 1 : 0;
        }
      }
      shared.append(String.format(Locale.ROOT, " %s: %d of %d;", v.name, fromArchive, total));
    }
    report.section(
        table(
                "Spring Boot app, AppCDS (extracted layout `"
                    + work.relativize(appCdsJar)
                    + "`, archive made once without an agent)",
                cds,
                cdsRounds)
            + shared.substring(0, shared.length() - 1)
            + ".\n");
  }

  private void measure(List<Variant> variants, String label, int rounds)
      throws IOException, InterruptedException {
    for (Variant v : variants) { // untimed: page cache
      launch(v.jar, v.jvmArgs);
    }
    for (int round = 0; round < rounds; round++) {
      StringBuilder line = new StringBuilder("  " + label + " round " + (round + 1) + ":");
      for (int i = 0; i < variants.size(); i++) {
        Variant v = variants.get((i + round) % variants.size());
        long ms = launch(v.jar, v.jvmArgs);
        v.firstRequest.add(ms);
        line.append(' ').append(v.name.replace("`", "")).append(' ').append(ms).append(" ms;");
      }
      System.out.println(line);
    }
  }

  private static String table(String caption, List<Variant> variants, int rounds) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "%s, %d rounds; median (min–max), ratio of medians to the first row%n%n",
            caption,
            rounds));
    b.append("| Spring Boot app | launch → first `GET /ping` 200, ms | × |\n|---|---|---|\n");
    for (Variant v : variants) {
      b.append("| ")
          .append(v.name)
          .append(" | ")
          .append(v.firstRequest.cell(0))
          .append(" | ")
          .append(v.firstRequest.ratioTo(variants.get(0).firstRequest))
          .append(" |\n");
    }
    return b.toString();
  }

  /**
   * Launches the app, returns ms from launch to the first 200 from /ping, then stops it (SIGTERM)
   * and waits.
   */
  private long launch(Path appJar, List<String> jvmArgs) throws IOException, InterruptedException {
    int port = Agents.closedPort();
    List<String> cmd = new ArrayList<>();
    cmd.add(WholeProcess.java(Path.of(System.getProperty("java.home"))));
    cmd.addAll(jvmArgs);
    cmd.addAll(List.of("-jar", appJar.toString(), "--server.port=" + port));
    Path log = work.resolve("spring-output.log");
    long t0 = System.nanoTime();
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      while (true) {
        if (get200(port)) {
          return (System.nanoTime() - t0) / 1_000_000;
        }
        if (!p.isAlive() || System.nanoTime() - t0 > FIRST_REQUEST_TIMEOUT_MS * 1_000_000) {
          throw new IllegalStateException(
              "no 200 from /ping ("
                  + (p.isAlive() ? "timeout" : "exit " + p.exitValue())
                  + "): "
                  + cmd
                  + "\n"
                  + tail(log));
        }
        Thread.sleep(POLL_PAUSE_MS);
      }
    } finally {
      // SIGTERM: a graceful exit, which also writes an -XX:ArchiveClassesAtExit archive
      p.destroy();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
      }
    }
  }

  /**
   * One HTTP/1.1 GET /ping with short timeouts: true on status 200, false on anything else (not up
   * yet).
   */
  private static boolean get200(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 100);
      s.setSoTimeout(5_000);
      OutputStream out = s.getOutputStream();
      out.write(
          ("GET /ping HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] head = new byte[12]; // "HTTP/1.1 200"
      int n = 0;
      for (int r; n < head.length && (r = in.read(head, n, head.length - n)) > 0; ) {
        n += r;
      }
      return n == head.length && new String(head, StandardCharsets.US_ASCII).endsWith(" 200");
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Spring Boot's CDS-friendly layout ({@code java -Djarmode=tools -jar app.jar extract}): the
   * executable jar's nested jars cannot be archived. Falls back to the executable jar if the
   * extraction fails (an older Boot).
   */
  private Path extract() throws IOException, InterruptedException {
    Path dir = work.resolve("it-spring-extracted");
    deleteTree(dir);
    Process p =
        new ProcessBuilder(
                WholeProcess.java(Path.of(System.getProperty("java.home"))),
                "-Djarmode=tools",
                "-jar",
                jar.toString(),
                "extract",
                "--destination",
                dir.toString())
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("extract.log").toFile())
            .start();
    Path extracted = dir.resolve(jar.getFileName());
    if (p.waitFor() == 0 && Files.isRegularFile(extracted)) {
      return extracted;
    }
    System.out.println(
        "  extraction failed ("
            + tail(work.resolve("extract.log"))
            + "): AppCDS on the executable jar");
    return jar;
  }

  private static void deleteTree(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (var paths = Files.walk(dir)) {
        for (Path path : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
          Files.delete(path);
        }
      }
    }
  }

  private static String tail(Path log) throws IOException {
    if (!Files.isRegularFile(log)) {
      return "";
    }
    List<String> lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
  }
}

package dev.tripline.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import org.jspecify.annotations.Nullable;

/** The JVM options of each agent variant the start-up benchmarks compare, and nothing else. */
final class Agents {
  private final Path tripline;
  private final @Nullable Path otel;

  /**
   * Another build of the Tripline agent to compare with ({@code -Dbench.baseline.jar}), or null.
   */
  private final @Nullable Path baseline;

  Agents(Path tripline, @Nullable Path otel) {
    this(tripline, otel, null);
  }

  Agents(Path tripline, @Nullable Path otel, @Nullable Path baseline) {
    this.tripline = tripline.toAbsolutePath();
    this.otel = otel == null || !Files.isRegularFile(otel) ? null : otel.toAbsolutePath();
    this.baseline =
        baseline == null || !Files.isRegularFile(baseline) ? null : baseline.toAbsolutePath();
  }

  @Nullable Path baseline() {
    return baseline;
  }

  /** The same variant with the baseline build of the agent in place of this one. */
  List<String> onBaseline(List<String> args) {
    List<String> out = new ArrayList<>();
    for (String a : args) {
      out.add(
          baseline != null && a.equals("-javaagent:" + tripline) ? "-javaagent:" + baseline : a);
    }
    return out;
  }

  List<String> none() {
    return List.of();
  }

  /** Tripline with {@code sink=none}: the agent's own cost, nothing sent. */
  List<String> triplineNoSink() {
    return List.of(
        "-javaagent:" + tripline, "-Dtripline.service.name=bench", "-Dtripline.sink=none");
  }

  /** As {@link #triplineNoSink()}, plus the per-phase start-up line on stderr. */
  List<String> triplineDebug() {
    List<String> args = new ArrayList<>(triplineNoSink());
    args.add("-Dtripline.debug=true");
    return args;
  }

  /**
   * The default Kafka sink pointed at a port nothing listens on: what a user without a reachable
   * broker pays.
   */
  List<String> triplineKafkaClosedPort() throws IOException {
    return List.of(
        "-javaagent:" + tripline,
        "-Dtripline.service.name=bench",
        "-Dtripline.kafka.bootstrap.servers=127.0.0.1:" + closedPort());
  }

  /** A jar holding only {@link EmptyAgent}: the JVM's own cost of a {@code -javaagent}. */
  List<String> empty() throws IOException {
    Path jar = Files.createTempFile("empty-agent", ".jar");
    jar.toFile().deleteOnExit();
    java.util.jar.Manifest m = new java.util.jar.Manifest();
    m.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
    m.getMainAttributes().putValue("Premain-Class", EmptyAgent.class.getName());
    String entry = EmptyAgent.class.getName().replace('.', '/') + ".class";
    try (java.util.jar.JarOutputStream out =
            new java.util.jar.JarOutputStream(Files.newOutputStream(jar), m);
        java.io.InputStream in = EmptyAgent.class.getClassLoader().getResourceAsStream(entry)) {
      out.putNextEntry(new java.util.jar.JarEntry(entry));
      in.transferTo(out);
      out.closeEntry();
    }
    return List.of("-javaagent:" + jar.toAbsolutePath());
  }

  boolean hasOtel() {
    return otel != null;
  }

  /** The OpenTelemetry Java agent with every exporter off (its instrumentation still runs). */
  List<String> otel() {
    return List.of(
        "-javaagent:" + otel,
        "-Dotel.service.name=bench",
        "-Dotel.traces.exporter=none",
        "-Dotel.metrics.exporter=none",
        "-Dotel.logs.exporter=none");
  }

  /** "OpenTelemetry agent 2.22.0" from the jar's manifest. */
  String otelName() {
    String version = "?";
    try (JarFile jar = new JarFile(otel.toFile())) {
      String v = jar.getManifest().getMainAttributes().getValue("Implementation-Version");
      version = v == null ? version : v;
    } catch (IOException e) {
      // label only
    }
    return "OpenTelemetry agent " + version;
  }

  /** A port that was free a moment ago and is closed now. */
  static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}

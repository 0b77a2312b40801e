package dev.tripline.collector;

import dev.tripline.collector.api.AnalystBackend;
import dev.tripline.collector.cli.TerminalSafe;
import dev.tripline.collector.config.CollectorConfig;
import dev.tripline.collector.config.CollectorKeys;
import dev.tripline.collector.http.AnalystServer;
import dev.tripline.collector.kafka.CollectorTopics;
import dev.tripline.collector.kafka.EmbeddedSecurity;
import dev.tripline.collector.kafka.ServiceTopicOwners;
import dev.tripline.collector.output.OutputEngine;
import dev.tripline.collector.pipeline.DetectionPipeline;
import dev.tripline.kafka.EmbeddedKafka;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One collector process: the embedded Kafka when no cluster is given, the topics, the detection
 * pipeline and the analyst HTTP server — started in that order, closed in reverse.
 */
public final class CollectorApp implements AutoCloseable {
  private final CollectorConfig requested;
  private final PrintStream out;
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private @Nullable EmbeddedKafka kafka;
  private @Nullable CollectorConfig effective;
  private @Nullable DetectionPipeline pipeline;
  private @Nullable AnalystServer http;
  private @Nullable OutputEngine outputs;

  /** A configured bearer token shorter than this is warned about at every start. */
  static final int MIN_TOKEN_LENGTH = 24;

  private java.nio.file.@Nullable Path agentSettings;
  private Map<String, Path> serviceSettings = Map.of();

  public CollectorApp(CollectorConfig config, PrintStream out) {
    this.requested = config;
    this.out = out;
  }

  public CollectorApp start() {
    try {
      String bootstrap = requested.get(CollectorKeys.BOOTSTRAP_SERVERS);
      CollectorConfig config = requested;
      EmbeddedSecurity security = null;
      if (requested.embedded()) {
        EmbeddedKafka.Builder b =
            EmbeddedKafka.builder()
                .dataDir(requested.dataDir().resolve("kafka"))
                .port(requested.get(CollectorKeys.EMBEDDED_PORT));
        boolean secure = requested.get(CollectorKeys.EMBEDDED_SECURE);
        if (!secure && !requested.get(CollectorKeys.EMBEDDED_SERVICES).isEmpty()) {
          throw new CollectorConfig.ConfigException(
              CollectorKeys.EMBEDDED_SERVICES.name(),
              "needs embedded.secure=true (on an open broker anyone speaks for every service)");
        }
        if (secure) {
          security = EmbeddedSecurity.of(requested.dataDir());
          b = security.broker(b);
          config = security.collector(config);
        }
        kafka = b.build().start();
        bootstrap = kafka.bootstrapServers();
        out.printf(
            "Embedded Kafka (KRaft%s) serving %s, data in %s (started in %d ms)%n",
            security == null ? "" : ", SCRAM logins and ACLs",
            bootstrap,
            kafka.dataDir().toAbsolutePath(),
            kafka.startMillis());
      }
      effective = config.with(CollectorKeys.BOOTSTRAP_SERVERS, bootstrap);
      List<String> created = CollectorTopics.ensure(effective, bootstrap);
      if (!created.isEmpty()) {
        out.println("Created topics: " + String.join(", ", created));
      }
      if (security != null) {
        agentSettings = security.grantAgents(kafka, effective);
        out.println(
            "Agents log in with the settings in "
                + agentSettings.toAbsolutePath()
                + " (owner-only; -Dtripline.config=<that file>)");
        serviceSettings =
            security.grantServices(
                kafka, effective, requested.get(CollectorKeys.EMBEDDED_SERVICES));
        serviceSettings.forEach(
            (service, file) ->
                out.println(
                    "Agents of "
                        + TerminalSafe.text(service)
                        + " only: "
                        + file.toAbsolutePath()
                        + " (their own login and topic)"));
      }
      pipeline = new DetectionPipeline(effective, registry).start();
      if (pipeline.topicAuthority() == ServiceTopicOwners.Authority.OPEN) {
        warnOpen(requested.embedded());
      }
      http = new AnalystServer(effective, pipeline.backend(), registry).start();
      out.println(
          "Console, API and /metrics at "
              + http.baseUrl()
              + (http.tokenGenerated()
                  ? "  (access token, shown once: " + http.token() + ")"
                  : "  (access token from http.token)"));
      // Outputs after the console: their messages link to it. Their own consumers and threads:
      // a slow receiver never slows detection (docs/outputs.md).
      outputs = new OutputEngine(effective, registry, out, http.baseUrl()).start();
      http.outputs(outputs);
      if (!http.tokenGenerated() && http.token().length() < MIN_TOKEN_LENGTH) {
        // The throttle never locks the right token out (Prometheus, the CLI), so a guesser learns
        // every guess's answer: only the token's strength stops guessing. Warned, never printed.
        out.println(
            "WARNING: http.token is "
                + http.token().length()
                + " characters; use "
                + MIN_TOKEN_LENGTH
                + " or more random ones (unset, one is generated): the API's throttle slows"
                + " guessing, it cannot stop it");
      }
      return this;
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /**
   * Said at every start while it holds: the broker has no authorizer, so anyone who can reach it
   * speaks for every service and for the analysts.
   */
  private void warnOpen(boolean embedded) {
    String text =
        "WARNING: Kafka at "
            + effective.get(CollectorKeys.BOOTSTRAP_SERVERS)
            + " is OPEN (no logins, no ACLs): any process that reaches it can write events for any"
            + " service (forged alerts, poisoned profiles, services.max filled), analyst actions"
            + " and alerts. "
            + (embedded
                ? "Run with --set embedded.secure=true for SCRAM logins and ACLs."
                : "Secure the broker: docs/operations.md, \"Kafka: who may write what\".");
    out.println(text); // once: stdout and stderr share a terminal or a container log
  }

  /** The agents' settings file of a secure embedded Kafka, or null. */
  public java.nio.file.@Nullable Path agentSettings() {
    return agentSettings;
  }

  /** The per-service agent settings files of {@code embedded.services}, by service. */
  public Map<String, Path> serviceSettings() {
    return serviceSettings;
  }

  /** The Kafka the collector uses (the embedded one's address when embedded). */
  public String bootstrapServers() {
    return effective.get(CollectorKeys.BOOTSTRAP_SERVERS);
  }

  public CollectorConfig config() {
    return effective;
  }

  public AnalystBackend backend() {
    return pipeline.backend();
  }

  public String consoleUrl() {
    return http.baseUrl();
  }

  public String consoleToken() {
    return http.token();
  }

  /** The alert outputs (none configured: an engine with nothing to run). */
  public @Nullable OutputEngine outputs() {
    return outputs;
  }

  @Override
  public void close() {
    if (outputs != null) {
      outputs.close();
      outputs = null;
    }
    if (http != null) {
      http.close();
      http = null;
    }
    if (pipeline != null) {
      pipeline.close();
      pipeline = null;
    }
    if (kafka != null) {
      kafka.stop();
      kafka = null;
    }
  }
}

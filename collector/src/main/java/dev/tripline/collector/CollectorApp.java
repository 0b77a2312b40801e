package dev.tripline.collector;

import dev.tripline.collector.api.AnalystBackend;
import dev.tripline.collector.config.CollectorConfig;
import dev.tripline.collector.http.AnalystServer;
import dev.tripline.collector.kafka.CollectorTopics;
import dev.tripline.collector.pipeline.DetectionPipeline;
import dev.tripline.kafka.EmbeddedKafka;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintStream;
import java.util.List;
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

  public CollectorApp(CollectorConfig config, PrintStream out) {
    this.requested = config;
    this.out = out;
  }

  public CollectorApp start() {
    try {
      String bootstrap = requested.get("bootstrap.servers");
      if (requested.embedded()) {
        kafka =
            EmbeddedKafka.builder()
                .dataDir(requested.dataDir().resolve("kafka"))
                .port(requested.getInt("embedded.port"))
                .build()
                .start();
        bootstrap = kafka.bootstrapServers();
        out.printf(
            "Embedded Kafka (KRaft) serving %s, data in %s (started in %d ms)%n",
            bootstrap, kafka.dataDir().toAbsolutePath(), kafka.startMillis());
      }
      effective = requested.with("bootstrap.servers", bootstrap);
      List<String> created = CollectorTopics.ensure(effective, bootstrap);
      if (!created.isEmpty()) {
        out.println("Created topics: " + String.join(", ", created));
      }
      pipeline = new DetectionPipeline(effective, registry).start();
      http = new AnalystServer(effective, pipeline.backend(), registry).start();
      out.println(
          "Console, API and /metrics at "
              + http.baseUrl()
              + (http.tokenGenerated()
                  ? "  (access token, shown once: " + http.token() + ")"
                  : "  (access token from http.token)"));
      return this;
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** The Kafka the collector uses (the embedded one's address when embedded). */
  public String bootstrapServers() {
    return effective.get("bootstrap.servers");
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

  @Override
  public void close() {
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

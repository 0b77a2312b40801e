package dev.tripline.collector.cli;

import dev.tripline.collector.config.CollectorConfig;
import dev.tripline.collector.config.CollectorKeys;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** Options shared by the commands that start a collector ({@code run}, {@code demo}). */
public final class CollectorOptions {

  @Option(
      names = "--bootstrap-servers",
      paramLabel = "host:port[,host:port]",
      description = "Kafka cluster to use. Default: an embedded single-node Kafka in --data-dir.")
  @Nullable String bootstrapServers;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "Properties file with collector settings (see docs/configuration.md).")
  @Nullable Path configFile;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "Embedded Kafka and Kafka Streams state. Default: ./tripline-data")
  @Nullable Path dataDir;

  @Option(
      names = "--partitions",
      paramLabel = "N",
      description = "Partitions of the topics the collector creates (default 3).")
  @Nullable Integer partitions;

  @Option(
      names = "--replication-factor",
      paramLabel = "N",
      description = "Replication factor of the topics the collector creates (default 1).")
  @Nullable Integer replication;

  @Option(
      names = "--http-port",
      paramLabel = "PORT",
      description = "Console, API, /metrics and /health port (default 8470).")
  @Nullable Integer httpPort;

  @Option(
      names = {"-s", "--set"},
      paramLabel = "KEY=VALUE",
      description = "Any setting, e.g. --set learning.period=1h")
  Map<String, String> settings = new LinkedHashMap<>();

  /** Defaults < config file < TRIPLINE_* environment < flags. */
  public CollectorConfig load() {
    CollectorConfig.Builder b = CollectorConfig.builder();
    if (configFile != null) {
      b.file(configFile);
    }
    b.environment(System.getenv());
    settings.forEach(b::set);
    b.set(CollectorKeys.BOOTSTRAP_SERVERS, bootstrapServers);
    b.set(CollectorKeys.DATA_DIR, dataDir == null ? null : dataDir.toString());
    b.set(CollectorKeys.TOPIC_PARTITIONS, partitions == null ? null : partitions.toString());
    b.set(CollectorKeys.TOPIC_REPLICATION, replication == null ? null : replication.toString());
    b.set(CollectorKeys.HTTP_PORT, httpPort == null ? null : httpPort.toString());
    return b.build();
  }
}

package dev.tripline.collector.config;

import static dev.tripline.config.Key.of;

import dev.tripline.config.Key;
import dev.tripline.config.KeyTable;
import dev.tripline.config.Type;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Every key the collector reads, declared once (type with its bounds, default, description). {@link
 * CollectorConfig} parses through these; docs/configuration.md and the deploy files are checked
 * against them by tests. Declared in the collector, not in the shared config module: the agent
 * bundles that module and has no use for the collector's keys.
 */
public final class CollectorKeys {
  private static final int MAX_PORT = 65_535;

  private static Type<Integer> positive() {
    return Type.integer(1, Integer.MAX_VALUE);
  }

  private static Type<Integer> port() {
    return Type.integer(0, MAX_PORT);
  }

  /** Bytes that are read into an int: a size such as 64KiB, at most 2 GiB - 1. */
  private static Type<Long> intSize() {
    return Type.size(1, Integer.MAX_VALUE);
  }

  public static final KeyTable TABLE =
      KeyTable.of(
          "TRIPLINE_",
          List.of("kafka."),
          List.of(
              of(
                  "bootstrap.servers",
                  Type.text(),
                  "",
                  "Kafka to use; empty starts an embedded single-node Kafka in data.dir"),
              of(
                  "data.dir",
                  Type.text(),
                  "tripline-data",
                  "embedded Kafka log and Kafka Streams state"),
              of(
                  "embedded.port",
                  port(),
                  "9092",
                  "port of the embedded Kafka's listener (0 = any free port)"),
              of(
                  "embedded.secure",
                  Type.bool(),
                  "false",
                  "embedded Kafka with SCRAM logins and ACLs, nothing anonymous: credentials generated into data.dir/credentials (0600)"),
              of(
                  "application.id",
                  Type.text(),
                  "tripline-collector",
                  "Kafka Streams application id: instances with the same id share the work"),
              of("topic.events", Type.text(), "tripline.events", "agent event batches (protobuf)"),
              of(
                  "topic.events.shared",
                  Type.bool(),
                  "true",
                  "also read topic.events, where the payload names the service (any writer may speak for any service); "
                      + "false = only per-service topics <topic.events>.<service>"),
              of(
                  "services.max",
                  positive(),
                  "10000",
                  "most services the collector keeps; batches for further new services are dead-lettered and counted"),
              of("topic.alerts", Type.text(), "tripline.alerts", "alerts (protobuf)"),
              of(
                  "topic.alerts.json",
                  Type.text(),
                  "tripline.alerts.json",
                  "alerts (JSON, OCSF Detection Finding)"),
              of(
                  "topic.deadletter",
                  Type.text(),
                  "tripline.deadletter",
                  "records that could not be parsed"),
              of(
                  "topic.actions",
                  Type.text(),
                  "tripline.actions",
                  "analyst actions (acknowledge, accept, state changes)"),
              of("topic.partitions", positive(), "3", "partitions of topics the collector creates"),
              // Kafka's replication factor is a short: a larger number would wrap, not fail.
              of(
                  "topic.replication",
                  Type.integer(1, Short.MAX_VALUE),
                  "1",
                  "replication factor of topics the collector creates"),
              of(
                  "learning.period",
                  Type.duration(0),
                  "24h",
                  "minimum time a new service stays in LEARNING"),
              of(
                  "learning.quiet",
                  Type.duration(0),
                  "1h",
                  "LEARNING ends only after this long with nothing new"),
              of(
                  "rules.file",
                  Type.text(),
                  "",
                  "extra known-bad rules (properties file) added to the built-in ones"),
              of(
                  "detect.code.owner",
                  Type.bool(),
                  "true",
                  "alert NEW_CODE_PATH when known behaviour comes from code (jar or package) that never did it"),
              of(
                  "rate.window",
                  Type.duration(1),
                  "1m",
                  "window of the rate features fed to the anomaly model"),
              of(
                  "rate.threshold",
                  Type.decimal(0, 1),
                  "0.6",
                  "isolation-forest score (0..1) above which a window is anomalous"),
              of("streams.threads", positive(), "1", "Kafka Streams threads in this instance"),
              of(
                  "streams.commit.interval",
                  Type.duration(0),
                  "100ms",
                  "how often processing is committed (exactly-once)"),
              of(
                  "http.port",
                  port(),
                  "8470",
                  "port of the console, REST API, /metrics and /health (0 = any)"),
              of("http.bind", Type.text(), "127.0.0.1", "address the HTTP server binds to"),
              of(
                      "http.token",
                      Type.text(),
                      "",
                      "bearer token for the console and API; empty = generated and printed once")
                  .secret(),
              of(
                  "http.max.body.bytes",
                  intSize(),
                  "65536",
                  "largest request body accepted; beyond it 413 and nothing more is read"),
              of(
                  "http.max.header.bytes",
                  intSize(),
                  "8192",
                  "request line and headers together; beyond it 431"),
              of(
                  "http.idle.timeout",
                  Type.duration(1),
                  "30s",
                  "a connection that sends nothing for this long is closed (slow or stalled clients)"),
              of(
                  "http.threads",
                  Type.integer(4, Integer.MAX_VALUE),
                  "16",
                  "worker threads of the HTTP port (headers are parsed without one)"),
              of(
                  "http.max.connections",
                  positive(),
                  "256",
                  "open connections in total; beyond it new ones wait to be accepted"),
              of(
                  "http.max.connections.per.address",
                  positive(),
                  "32",
                  "open connections from one client address; beyond it they are closed at once"),
              of(
                  "http.login.failures",
                  positive(),
                  "10",
                  "wrong tokens per client address per minute before 429 (login form and bearer)"),
              of(
                  "http.session.ttl",
                  Type.duration(1),
                  "12h",
                  "console sessions end this long after login (POST /logout or /api/sessions/revoke end them sooner)"),
              of("http.tls.keystore", Type.text(), "", "PKCS12 key store: serve HTTPS when set"),
              of("http.tls.keystore.password", Type.text(), "", "its password (use @file:/path)")
                  .secret(),
              // Hostile input (docs/operations.md, "Collector state and records").
              of(
                  "profile.max.entries.per.kind",
                  positive(),
                  "2000",
                  "profile entries per service and kind; beyond, new targets are generalised"),
              of(
                  "profile.max.bytes",
                  intSize(),
                  "786432",
                  "serialised size budget of one service's profile"),
              of(
                  "profile.max.instances",
                  positive(),
                  "100",
                  "agent instances a profile remembers (the most recently seen)"),
              of(
                  "string.max.chars",
                  positive(),
                  "4096",
                  "longest path, argv element, host… kept from an event; longer ones are truncated"),
              of(
                  "record.max.bytes",
                  intSize(),
                  "1000000",
                  "largest record the collector writes (keep under the topics' max.message.bytes)"),
              of(
                  "poison.max.tries",
                  positive(),
                  "3",
                  "times a record may kill the stream thread before it is dead-lettered and skipped"),
              of(
                  "health.stuck.after",
                  Type.duration(1),
                  "60s",
                  "/health is DOWN when input waits this long without the committed offset moving")));

  private CollectorKeys() {}

  /** The declaration of {@code name}, or null. */
  public static @Nullable Key<?> get(String name) {
    return TABLE.get(name);
  }
}

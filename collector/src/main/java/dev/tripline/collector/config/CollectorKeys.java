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
                  "embedded.services",
                  Type.list(),
                  "",
                  "with embedded.secure: services given their own login, topic and ACL (nobody else may speak for them); settings in data.dir/credentials/services/<service>.properties"),
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
              of(
                  "topic.policy",
                  Type.text(),
                  "tripline.policy",
                  "prefix of the per-service protection policy topics <topic.policy>.<service> (compacted; docs/protection.md)"),
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
                  "learning.max",
                  Type.duration(0),
                  "0s",
                  "LEARNING ends after this long even if something new keeps coming (0s: 4 ×"
                      + " learning.period)"),
              of(
                  "learning.version.grace",
                  Type.duration(0),
                  "2m",
                  "an instance of a version new to the service learns its start-up behaviour"
                      + " this long instead of alerting (0s: off)"),
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
                  "liveness.silent.after",
                  Type.duration(1),
                  "2m",
                  "an instance that sent nothing for this long without a goodbye raises AGENT_SILENT"),
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
                  "http.header.timeout",
                  Type.duration(1),
                  "10s",
                  "a request head (TLS handshake, request line, headers) must be complete this long after the connection opens, however it trickles"),
              of(
                  "http.min.body.rate",
                  positive(),
                  "1024",
                  "bytes per second a request body must keep up after a grace of http.header.timeout; slower is closed"),
              of(
                  "http.threads",
                  Type.integer(4, Integer.MAX_VALUE),
                  "16",
                  "worker threads of the HTTP port (headers are parsed without one)"),
              of(
                  "http.max.connections",
                  positive(),
                  "256",
                  "open connections in total; beyond it a new one evicts the slowest-sending unauthenticated idle or unfinished one, else is closed"),
              of(
                  "http.max.connections.per.address",
                  positive(),
                  "32",
                  "open connections from one client address; beyond it a new one evicts that address's slowest-sending unauthenticated idle or unfinished one, else is closed"),
              of(
                  "http.login.failures",
                  positive(),
                  "10",
                  "wrong tokens per client address per minute; past it wrong tokens get 429 (a right token always gets in)"),
              of(
                  "http.login.failures.global",
                  positive(),
                  "100",
                  "wrong tokens from all addresses together per minute; past it every wrong token gets 429"),
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
                  "batch.max.bytes",
                  intSize(),
                  "4MiB",
                  "largest input record (decompressed) the collector parses, never more than 1/64 of the heap; larger ones are dead-lettered unparsed"),
              of(
                  "batch.max.events",
                  positive(),
                  "5000",
                  "most events in one batch (agents send at most 500); a batch with more is dead-lettered unparsed"),
              of(
                  "poison.max.tries",
                  positive(),
                  "3",
                  "times a record may kill the stream thread before it is dead-lettered and skipped"),
              of(
                  "health.stuck.after",
                  Type.duration(1),
                  "60s",
                  "/health is DOWN when input waits this long without the committed offset moving"),
              of(
                  "health.failure.hold",
                  Type.duration(0),
                  "60s",
                  "/health is DOWN this long after an OutOfMemoryError or a failed stream thread"),
              of(
                  "shutdown.timeout",
                  Type.duration(1),
                  "45s",
                  "run: a stop (SIGTERM, Ctrl-C) that has not finished closing after this long halts the JVM")));

  private CollectorKeys() {}

  /** The declaration of {@code name}, or null. */
  public static @Nullable Key<?> get(String name) {
    return TABLE.get(name);
  }
}

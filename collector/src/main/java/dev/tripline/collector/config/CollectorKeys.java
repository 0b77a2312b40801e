package dev.tripline.collector.config;

import static dev.tripline.config.Key.of;

import dev.tripline.config.Key;
import dev.tripline.config.KeyTable;
import dev.tripline.config.Type;
import java.time.Duration;
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
  private static Type<Integer> intSize() {
    return Type.intSize(1, Integer.MAX_VALUE);
  }

  public static final Key<String> BOOTSTRAP_SERVERS =
      of(
          "bootstrap.servers",
          Type.text(),
          "",
          "Kafka to use; empty starts an embedded single-node Kafka in data.dir");

  public static final Key<String> DATA_DIR =
      of("data.dir", Type.text(), "tripline-data", "embedded Kafka log and Kafka Streams state");

  public static final Key<Integer> EMBEDDED_PORT =
      of(
          "embedded.port",
          port(),
          "9092",
          "port of the embedded Kafka's listener (0 = any free port)");

  public static final Key<Boolean> EMBEDDED_SECURE =
      of(
          "embedded.secure",
          Type.bool(),
          "false",
          "embedded Kafka with SCRAM logins and ACLs, nothing anonymous: credentials generated into data.dir/credentials (0600)");

  public static final Key<List<String>> EMBEDDED_SERVICES =
      of(
          "embedded.services",
          Type.list(),
          "",
          "with embedded.secure: services given their own login, topic and ACL (nobody else may speak for them); settings in data.dir/credentials/services/<service>.properties");

  public static final Key<String> APPLICATION_ID =
      of(
          "application.id",
          Type.text(),
          "tripline-collector",
          "Kafka Streams application id: instances with the same id share the work");

  public static final Key<String> TOPIC_EVENTS =
      of("topic.events", Type.text(), "tripline.events", "agent event batches (protobuf)");

  public static final Key<Boolean> TOPIC_EVENTS_SHARED =
      of(
          "topic.events.shared",
          Type.bool(),
          "true",
          "also read topic.events, where the payload names the service (any writer may speak for any service); "
              + "false = only per-service topics <topic.events>.<service>");

  public static final Key<Integer> SERVICES_MAX =
      of(
          "services.max",
          positive(),
          "10000",
          "most services the collector keeps; batches for further new services are dead-lettered and counted");

  public static final Key<String> TOPIC_ALERTS =
      of("topic.alerts", Type.text(), "tripline.alerts", "alerts (protobuf)");

  public static final Key<String> TOPIC_ALERTS_JSON =
      of(
          "topic.alerts.json",
          Type.text(),
          "tripline.alerts.json",
          "alerts (JSON, OCSF Detection Finding)");

  public static final Key<String> TOPIC_DEADLETTER =
      of(
          "topic.deadletter",
          Type.text(),
          "tripline.deadletter",
          "records that could not be parsed");

  public static final Key<String> TOPIC_ACTIONS =
      of(
          "topic.actions",
          Type.text(),
          "tripline.actions",
          "analyst actions (acknowledge, accept, state changes)");

  public static final Key<String> TOPIC_POLICY =
      of(
          "topic.policy",
          Type.text(),
          "tripline.policy",
          "prefix of the per-service protection policy topics <topic.policy>.<service> (compacted; docs/protection.md)");

  public static final Key<Duration> PROTECTION_REFRESH =
      of(
          "protection.refresh",
          Type.javaDuration(1),
          "2m",
          "a protection policy in force (dry-run, block) is re-issued this often with a fresh issue time, so agents can fail open when the collector stops (protection.max.age); a grown profile or a state change re-issues it within 5 s");

  public static final Key<Duration> PROTECTION_MAX_AGE =
      of(
          "protection.max.age",
          Type.javaDuration(0),
          "10m",
          "max_age_ms written into every policy: an agent that has heard nothing newer for this long fails open (protection off, monitoring on); 0s: never; at least twice protection.refresh");

  public static final Key<Integer> TOPIC_PARTITIONS =
      of("topic.partitions", positive(), "3", "partitions of topics the collector creates");

  // Kafka's replication factor is a short: a larger number would wrap, not fail.
  public static final Key<Integer> TOPIC_REPLICATION =
      of(
          "topic.replication",
          Type.integer(1, Short.MAX_VALUE),
          "1",
          "replication factor of topics the collector creates");

  public static final Key<Duration> LEARNING_PERIOD =
      of(
          "learning.period",
          Type.javaDuration(0),
          "24h",
          "minimum time a new service stays in LEARNING");

  public static final Key<Duration> LEARNING_QUIET =
      of(
          "learning.quiet",
          Type.javaDuration(0),
          "1h",
          "LEARNING ends only after this long with nothing new");

  public static final Key<Duration> LEARNING_MAX =
      of(
          "learning.max",
          Type.javaDuration(0),
          "0s",
          "LEARNING ends after this long even if something new keeps coming (0s: 4 ×"
              + " learning.period)");

  public static final Key<Duration> LEARNING_VERSION_GRACE =
      of(
          "learning.version.grace",
          Type.javaDuration(0),
          "2m",
          "an instance of a version new to the service learns its start-up behaviour"
              + " this long instead of alerting (0s: off)");

  public static final Key<String> RULES_FILE =
      of(
          "rules.file",
          Type.text(),
          "",
          "extra known-bad rules (properties file) added to the built-in ones");

  public static final Key<Boolean> DETECT_CODE_OWNER =
      of(
          "detect.code.owner",
          Type.bool(),
          "true",
          "alert NEW_CODE_PATH when known behaviour comes from code (jar or package) that never did it");

  public static final Key<Duration> LIVENESS_SILENT_AFTER =
      of(
          "liveness.silent.after",
          Type.javaDuration(1),
          "2m",
          "an instance that sent nothing for this long without a goodbye raises AGENT_SILENT");

  public static final Key<Duration> RATE_WINDOW =
      of(
          "rate.window",
          Type.javaDuration(1),
          "1m",
          "window of the rate features fed to the anomaly model");

  public static final Key<Double> RATE_THRESHOLD =
      of(
          "rate.threshold",
          Type.decimal(0, 1),
          "0.6",
          "isolation-forest score (0..1) above which a window is anomalous");

  public static final Key<Integer> STREAMS_THREADS =
      of("streams.threads", positive(), "1", "Kafka Streams threads in this instance");

  public static final Key<Duration> STREAMS_COMMIT_INTERVAL =
      of(
          "streams.commit.interval",
          Type.javaDuration(0),
          "100ms",
          "how often processing is committed (exactly-once)");

  public static final Key<Integer> HTTP_PORT =
      of(
          "http.port",
          port(),
          "8470",
          "port of the console, REST API, /metrics and /health (0 = any)");

  public static final Key<String> HTTP_BIND =
      of("http.bind", Type.text(), "127.0.0.1", "address the HTTP server binds to");

  public static final Key<String> HTTP_TOKEN =
      of(
              "http.token",
              Type.text(),
              "",
              "bearer token for the console and API; empty = generated and printed once")
          .secret();

  public static final Key<Integer> HTTP_MAX_BODY_BYTES =
      of(
          "http.max.body.bytes",
          intSize(),
          "65536",
          "largest request body accepted; beyond it 413, and the rest (up to 8 MiB or 16 times this) is read and dropped so the client gets the answer");

  public static final Key<Integer> HTTP_MAX_HEADER_BYTES =
      of(
          "http.max.header.bytes",
          intSize(),
          "8192",
          "request line and headers together; beyond it 431");

  public static final Key<Duration> HTTP_IDLE_TIMEOUT =
      of(
          "http.idle.timeout",
          Type.javaDuration(1),
          "30s",
          "a connection that sends nothing for this long is closed (slow or stalled clients)");

  public static final Key<Duration> HTTP_HEADER_TIMEOUT =
      of(
          "http.header.timeout",
          Type.javaDuration(1),
          "10s",
          "a request head (TLS handshake, request line, headers) must be complete this long after the connection opens, however it trickles");

  public static final Key<Integer> HTTP_MIN_BODY_RATE =
      of(
          "http.min.body.rate",
          positive(),
          "1024",
          "bytes per second a request body must keep up after a grace of http.header.timeout; slower is closed");

  public static final Key<Integer> HTTP_THREADS =
      of(
          "http.threads",
          Type.integer(4, Integer.MAX_VALUE),
          "16",
          "worker threads of the HTTP port (headers are parsed without one)");

  public static final Key<Integer> HTTP_MAX_CONNECTIONS =
      of(
          "http.max.connections",
          positive(),
          "256",
          "open connections in total; beyond it a new one evicts the slowest-sending unauthenticated idle or unfinished one, else is closed");

  public static final Key<Integer> HTTP_MAX_CONNECTIONS_PER_ADDRESS =
      of(
          "http.max.connections.per.address",
          positive(),
          "32",
          "open connections from one client address; beyond it a new one evicts that address's slowest-sending unauthenticated idle or unfinished one, else is closed");

  public static final Key<Integer> HTTP_LOGIN_FAILURES =
      of(
          "http.login.failures",
          positive(),
          "10",
          "wrong tokens per client address per minute; past it wrong tokens get 429 (a right token always gets in)");

  public static final Key<Integer> HTTP_LOGIN_FAILURES_GLOBAL =
      of(
          "http.login.failures.global",
          positive(),
          "100",
          "wrong tokens from all addresses together per minute; past it every wrong token gets 429");

  public static final Key<Duration> HTTP_SESSION_TTL =
      of(
          "http.session.ttl",
          Type.javaDuration(1),
          "12h",
          "console sessions end this long after login (POST /logout or /api/sessions/revoke end them sooner)");

  public static final Key<String> HTTP_TLS_KEYSTORE =
      of("http.tls.keystore", Type.text(), "", "PKCS12 key store: serve HTTPS when set");

  public static final Key<String> HTTP_TLS_KEYSTORE_PASSWORD =
      of("http.tls.keystore.password", Type.text(), "", "its password (use @file:/path)").secret();

  // Hostile input (docs/operations.md, "Collector state and records").
  public static final Key<Integer> PROFILE_MAX_ENTRIES_PER_KIND =
      of(
          "profile.max.entries.per.kind",
          positive(),
          "2000",
          "profile entries per service and kind; beyond, new targets are generalised");

  public static final Key<Integer> PROFILE_MAX_BYTES =
      of(
          "profile.max.bytes",
          intSize(),
          "786432",
          "serialised size budget of one service's profile");

  public static final Key<Integer> PROFILE_MAX_INSTANCES =
      of(
          "profile.max.instances",
          positive(),
          "100",
          "agent instances a profile remembers (the most recently seen)");

  public static final Key<Integer> STRING_MAX_CHARS =
      of(
          "string.max.chars",
          positive(),
          "4096",
          "longest path, argv element, host… kept from an event; longer ones are truncated");

  public static final Key<Integer> RECORD_MAX_BYTES =
      of(
          "record.max.bytes",
          intSize(),
          "1000000",
          "largest record the collector writes (keep under the topics' max.message.bytes)");

  public static final Key<Integer> BATCH_MAX_BYTES =
      of(
          "batch.max.bytes",
          intSize(),
          "4MiB",
          "largest input record (decompressed) the collector parses, never more than 1/64 of the heap; larger ones are dead-lettered unparsed");

  public static final Key<Integer> BATCH_MAX_EVENTS =
      of(
          "batch.max.events",
          positive(),
          "5000",
          "most events in one batch (agents send at most 500); a batch with more is dead-lettered unparsed");

  public static final Key<Integer> POISON_MAX_TRIES =
      of(
          "poison.max.tries",
          positive(),
          "3",
          "times a record may kill the stream thread before it is dead-lettered and skipped");

  public static final Key<Duration> HEALTH_STUCK_AFTER =
      of(
          "health.stuck.after",
          Type.javaDuration(1),
          "60s",
          "/health is DOWN when input waits this long without the committed offset moving");

  public static final Key<Duration> HEALTH_FAILURE_HOLD =
      of(
          "health.failure.hold",
          Type.javaDuration(0),
          "60s",
          "/health is DOWN this long after an OutOfMemoryError or a failed stream thread");

  public static final Key<Duration> SHUTDOWN_TIMEOUT =
      of(
          "shutdown.timeout",
          Type.javaDuration(1),
          "45s",
          "run: a stop (SIGTERM, Ctrl-C) that has not finished closing after this long halts the JVM");

  /**
   * Alert outputs: {@code output.<name>.<key>} (dev.tripline.collector.output.OutputKeys declares
   * the keys after the name, with the same grammar; docs/outputs.md).
   */
  public static final String OUTPUT_PREFIX = "output.";

  /**
   * In declaration order (docs/configuration.md follows it); {@code kafka.*} and {@code output.*}
   * passed through.
   */
  public static final KeyTable TABLE =
      KeyTable.of(
          "TRIPLINE_",
          List.of("kafka.", OUTPUT_PREFIX),
          List.of(
              BOOTSTRAP_SERVERS,
              DATA_DIR,
              EMBEDDED_PORT,
              EMBEDDED_SECURE,
              EMBEDDED_SERVICES,
              APPLICATION_ID,
              TOPIC_EVENTS,
              TOPIC_EVENTS_SHARED,
              SERVICES_MAX,
              TOPIC_ALERTS,
              TOPIC_ALERTS_JSON,
              TOPIC_DEADLETTER,
              TOPIC_ACTIONS,
              TOPIC_POLICY,
              PROTECTION_REFRESH,
              PROTECTION_MAX_AGE,
              TOPIC_PARTITIONS,
              TOPIC_REPLICATION,
              LEARNING_PERIOD,
              LEARNING_QUIET,
              LEARNING_MAX,
              LEARNING_VERSION_GRACE,
              RULES_FILE,
              DETECT_CODE_OWNER,
              LIVENESS_SILENT_AFTER,
              RATE_WINDOW,
              RATE_THRESHOLD,
              STREAMS_THREADS,
              STREAMS_COMMIT_INTERVAL,
              HTTP_PORT,
              HTTP_BIND,
              HTTP_TOKEN,
              HTTP_MAX_BODY_BYTES,
              HTTP_MAX_HEADER_BYTES,
              HTTP_IDLE_TIMEOUT,
              HTTP_HEADER_TIMEOUT,
              HTTP_MIN_BODY_RATE,
              HTTP_THREADS,
              HTTP_MAX_CONNECTIONS,
              HTTP_MAX_CONNECTIONS_PER_ADDRESS,
              HTTP_LOGIN_FAILURES,
              HTTP_LOGIN_FAILURES_GLOBAL,
              HTTP_SESSION_TTL,
              HTTP_TLS_KEYSTORE,
              HTTP_TLS_KEYSTORE_PASSWORD,
              PROFILE_MAX_ENTRIES_PER_KIND,
              PROFILE_MAX_BYTES,
              PROFILE_MAX_INSTANCES,
              STRING_MAX_CHARS,
              RECORD_MAX_BYTES,
              BATCH_MAX_BYTES,
              BATCH_MAX_EVENTS,
              POISON_MAX_TRIES,
              HEALTH_STUCK_AFTER,
              HEALTH_FAILURE_HOLD,
              SHUTDOWN_TIMEOUT));

  private CollectorKeys() {}

  /** The declaration of {@code name}, or null. */
  public static @Nullable Key<?> get(String name) {
    return TABLE.get(name);
  }
}

package dev.tripline.agent.config;

import dev.tripline.config.Key;
import dev.tripline.config.KeyTable;
import dev.tripline.config.Type;
import java.util.List;

/**
 * Every key the agent reads, declared once (type, default, description). {@link AgentConfig} parses
 * through these; docs/configuration.md and the deploy files are checked against them by tests.
 * Declared here, not in the shared config module: the agent's jar should carry its own keys only.
 */
public final class AgentKeys {
  /** The values of {@code capture}: the groups of hooks. */
  public static final List<String> CAPTURES = List.of("net", "dns", "file", "process", "code");

  /** Above this the queue's array alone would take a noticeable share of the application's heap. */
  static final int MAX_QUEUE_CAPACITY = 1_000_000;

  static final int MAX_CACHE_SIZE = 1_000_000;

  public static final Key<Boolean> ENABLED =
      Key.of("enabled", Type.bool(), "true", "switch the agent off without removing the flag");
  public static final Key<String> CONFIG =
      Key.of("config", Type.text(), "", "properties file with any of the agent's keys");
  public static final Key<String> SERVICE_NAME =
      Key.of(
          "service.name",
          Type.text(),
          "",
          "profiles are kept per service; unset: OTEL_SERVICE_NAME, else the main class or jar name");
  public static final Key<String> SERVICE_VERSION =
      Key.of(
          "service.version", Type.text(), "", "unset: the jar manifest's Implementation-Version");
  public static final Key<String> LABELS =
      Key.of("labels", Type.text(), "", "free labels on every batch: key=value,key=value");
  public static final Key<String> SINK =
      Key.of(
          "sink",
          Type.oneOf(List.of("kafka", "none"), List.of("jsonl:"), "kafka, none or jsonl:<path>"),
          "kafka",
          "where events go: kafka, jsonl:<path> or none");
  public static final Key<String> KAFKA_BOOTSTRAP_SERVERS =
      Key.of(
          "kafka.bootstrap.servers", Type.text(), "", "Kafka to send to; required with sink=kafka");
  public static final Key<String> KAFKA_TOPIC =
      Key.of(
          "kafka.topic",
          Type.text(),
          "tripline.events",
          "events topic; {service} is replaced by the service name mapped to a legal topic name");
  public static final Key<List<String>> CAPTURE =
      Key.of(
          "capture",
          Type.listOf(CAPTURES.toArray(new String[0])),
          "net,dns,file,process,code",
          "which groups of hooks are woven");
  public static final Key<List<String>> EXCLUDE_PATHS =
      Key.of(
          "exclude.paths",
          Type.list(),
          "",
          "path prefixes or * globs, matched against the real path");
  public static final Key<List<String>> SENSITIVE_PATHS =
      Key.of(
          "sensitive.paths",
          Type.list(),
          "",
          "more absolute paths of sensitive files: a hard link to one is reported as that file");
  public static final Key<List<String>> EXCLUDE_HOSTS =
      Key.of("exclude.hosts", Type.list(), "", "hosts or * globs");
  public static final Key<String> CONTEXT_FRAMES =
      Key.of(
          "context.frames",
          Type.text(),
          "",
          "extra code-context frames, category=class-prefix[#method-prefix],…");
  public static final Key<Long> FLUSH_INTERVAL =
      Key.of("flush.interval", Type.duration(1), "10s", "how often folded repeats are sent");
  public static final Key<Long> HALT_WAIT =
      Key.of(
          "halt.wait",
          Type.duration(0),
          "1s",
          "longest Runtime.halt waits for the last events to leave (0s: not at all)");
  public static final Key<Long> HEARTBEAT_INTERVAL =
      Key.of("heartbeat.interval", Type.duration(1), "30s", "agent health on the topic");
  public static final Key<Integer> QUEUE_CAPACITY =
      Key.of(
          "queue.capacity",
          Type.integer(1, MAX_QUEUE_CAPACITY),
          "8192",
          "new events waiting for the pipeline thread");
  public static final Key<Integer> CACHE_SIZE =
      Key.of(
          "cache.size",
          Type.integer(1, MAX_CACHE_SIZE),
          "4096",
          "distinct behaviours remembered per kind and outcome (~0.5 KB each): bounds the agent's heap");
  public static final Key<Boolean> JMX =
      Key.of(
          "jmx",
          Type.bool(),
          "true",
          "publish the agent's meters as the MBean dev.tripline:type=Agent");
  public static final Key<String> PROTECT =
      Key.of(
          "protect",
          Type.oneOf(List.of("on", "off"), List.of(), "on or off"),
          "on",
          "the emergency brake: off refuses nothing on this JVM whatever the policy says (monitoring"
              + " goes on)");
  public static final Key<String> PROTECT_POLICY_TOPIC =
      Key.of(
          "protect.policy.topic",
          Type.text(),
          "tripline.policy",
          "prefix of the service's compacted policy topic <prefix>.<service> (the collector's"
              + " topic.policy)");
  public static final Key<Long> PROTECT_MAX_AGE =
      Key.of(
          "protect.max.age",
          Type.duration(0),
          "0ms",
          "a policy older than this (from its issue time) fails open; 0ms: the policy's own"
              + " max_age_ms");
  public static final Key<Boolean> REQUEST_CONTEXT =
      Key.of(
          "request.context",
          Type.bool(),
          "true",
          "attach the inbound request (method, route, client, trace id) to every event recorded"
              + " while a known server handles it; false weaves no request hooks");
  public static final Key<Boolean> DEBUG =
      Key.of("debug", Type.bool(), "false", "print the hooks woven on this JDK at start and exit");

  /**
   * In declaration order; {@code kafka.*} beyond the declared ones are producer settings, passed
   * through.
   */
  public static final KeyTable TABLE =
      KeyTable.of(
          AgentConfig.ENV_PREFIX,
          List.of("kafka."),
          List.of(
              ENABLED,
              CONFIG,
              SERVICE_NAME,
              SERVICE_VERSION,
              LABELS,
              SINK,
              KAFKA_BOOTSTRAP_SERVERS,
              KAFKA_TOPIC,
              CAPTURE,
              EXCLUDE_PATHS,
              SENSITIVE_PATHS,
              EXCLUDE_HOSTS,
              CONTEXT_FRAMES,
              FLUSH_INTERVAL,
              HALT_WAIT,
              HEARTBEAT_INTERVAL,
              QUEUE_CAPACITY,
              CACHE_SIZE,
              JMX,
              PROTECT,
              PROTECT_POLICY_TOPIC,
              PROTECT_MAX_AGE,
              REQUEST_CONTEXT,
              DEBUG));

  private AgentKeys() {}
}

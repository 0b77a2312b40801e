package dev.tripline.agent.transport;

import dev.tripline.agent.gate.Gate;
import dev.tripline.agent.protect.ProtectionState;
import dev.tripline.model.protect.PolicyReader;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jspecify.annotations.Nullable;

/**
 * Protect mode's policy source: the agent's thread {@code tripline-policy} reads the service's own
 * compacted topic {@code <protect.policy.topic>.<service>} (the name mapped as the collector maps
 * it), by assignment of its one partition, without a consumer group — READ on that topic is all the
 * service's principal needs. The same {@code kafka.*} settings as the producer (TLS, SASL), Kafka's
 * class names relocated. Every record goes through {@link PolicyReader} (via {@link
 * ProtectionState#offer}); after every poll the mode in force is recomputed, so a policy that grows
 * too old fails open within a poll. A topic it may not read (not authorised, a broken login) fails
 * open with the reason, said once on stderr, and is retried every few seconds; any other failure
 * keeps the policy in force until its max age (see {@link #run}). Never on an application thread:
 * the classic consumer does its I/O on this thread, which is the agent's.
 */
public final class PolicyConsumer implements Runnable {
  static final Duration POLL = Duration.ofMillis(250);
  private static final long RETRY_MS = 5_000;
  private static final long TOPIC_RETRY_MS = 1_000;
  // One whole policy record (its allow list included) plus the batch's framing: a smaller fetch
  // would never deliver a large policy, and the agent would fail open on it for ever.
  private static final int MAX_FETCH_BYTES = PolicyReader.MAX_RECORD_BYTES + 64 * 1024;

  private final Properties userProps;
  private final String topic;
  private final ProtectionState state;
  private final Consumer<String> tamper;
  private volatile boolean running = true;
  private volatile @Nullable Thread thread;
  private volatile String said = "";

  /**
   * @param tamper where an interrupt, a stop or a death of this thread is reported (the heartbeat's
   *     tamper findings)
   */
  public PolicyConsumer(
      Properties userProps,
      String policyTopic,
      String service,
      ProtectionState state,
      Consumer<String> tamper) {
    this.userProps = userProps;
    this.topic = topicFor(policyTopic, service);
    this.state = state;
    this.tamper = tamper;
  }

  /** {@code <prefix>.<service>}, the service name mapped exactly as the collector maps it. */
  public static String topicFor(String prefix, String service) {
    return dev.tripline.config.ServiceTopicName.under(prefix, service);
  }

  public String topic() {
    return topic;
  }

  /** Starts the thread; returns at once. */
  public Thread start() {
    Thread t = new Thread(this, "tripline-policy");
    t.setDaemon(true);
    thread = t;
    t.start();
    return t;
  }

  public void stop() {
    running = false;
  }

  /**
   * Reads until {@link #stop}. Only a topic the agent may not read (authorisation, login) fails
   * protection open at once; anything else thrown at this thread — an interrupt, {@code
   * Thread.stop}, a broken fetch — keeps the policy in force (it still fails open when it grows
   * older than its max age) and is retried: code in the JVM that interrupts this thread in a loop
   * must not switch block off. An interrupt or a stop is a tamper finding; should the thread die
   * all the same, the pipeline's watchdog check starts a new one ({@link #aliveOrRestarted}).
   */
  @Override
  public void run() {
    Gate.markAgentThread(); // its own connects and reads are never reported, never judged
    while (running) {
      try {
        readUntilStopped();
      } catch (AuthorizationException | AuthenticationException e) {
        failed("not allowed to read " + topic + " (" + e.getClass().getSimpleName() + ")");
        pause();
      } catch (Throwable e) { // this thread must outlive whatever is thrown at it
        hiccup(e);
        pause();
      }
    }
  }

  private void readUntilStopped() {
    try (KafkaConsumer<byte[], byte[]> consumer = open()) {
      // A topic created after this JVM started (the collector creates it on the first change)
      // is looked for every second until it exists: an assigned partition of a missing topic
      // would be found only at the next metadata refresh
      while (running && !exists(consumer)) {
        state.unreadable("");
        state.refresh(System.currentTimeMillis());
        sleep(TOPIC_RETRY_MS);
      }
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      while (running) {
        ConsumerRecords<byte[], byte[]> records;
        try {
          records = consumer.poll(POLL);
        } catch (InterruptException e) {
          Thread.interrupted(); // the consumer stays usable: read on with it
          tamper.accept("policy thread interrupted");
          state.refresh(System.currentTimeMillis());
          continue;
        }
        for (ConsumerRecord<byte[], byte[]> r : records) {
          PolicyReader.Outcome o = state.offer(r.value());
          if (!o.applied()) {
            say("[tripline] protect: refused a record of " + topic + ": " + o);
          }
        }
        state.unreadable("");
        state.refresh(System.currentTimeMillis());
      }
    }
  }

  /** Anything but a refused read: the policy in force stays (until its max age), said once. */
  private void hiccup(Throwable e) {
    Thread.interrupted();
    if (e instanceof InterruptException) {
      tamper.accept("policy thread interrupted");
    } else if (e.getClass().getName().equals("java.lang.ThreadDeath")) {
      tamper.accept("policy thread stopped (Thread.stop); read on");
    } else {
      say(
          "[tripline] protect: reading "
              + topic
              + " failed: "
              + e
              + "; retried, the policy in force stays until it is older than its max age");
    }
    state.refresh(System.currentTimeMillis());
  }

  /**
   * The pipeline's once-a-second check: a policy thread that died (an error this thread could not
   * catch in time, a second {@code Thread.stop} inside its handler) is started again, reported.
   */
  public void aliveOrRestarted() {
    Thread t = thread;
    if (running && t != null && !t.isAlive()) {
      tamper.accept("policy thread died; restarted");
      start();
    }
  }

  private boolean exists(KafkaConsumer<byte[], byte[]> consumer) {
    try {
      return !consumer.partitionsFor(topic, Duration.ofSeconds(2)).isEmpty();
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      return false; // no answer yet (a broker starting): asked again
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      // absorbed: only stop() ends this thread
    }
  }

  private KafkaConsumer<byte[], byte[]> open() {
    Properties p = new Properties();
    p.putAll(KafkaClassNames.relocate(userProps, KafkaClassNames.RELOCATED));
    // producer-only settings the user gave for the sink would be warned about by the consumer
    for (String producerOnly :
        new String[] {
          "acks",
          "linger.ms",
          "batch.size",
          "compression.type",
          "buffer.memory",
          "max.block.ms",
          "enable.idempotence",
          "delivery.timeout.ms",
          "max.request.size",
          "retries",
          "max.in.flight.requests.per.connection"
        }) {
      p.remove(producerOnly);
    }
    p.put(
        ConsumerConfig.CLIENT_ID_CONFIG,
        "tripline-agent-policy-" + UUID.randomUUID().toString().substring(0, 8));
    p.remove(ConsumerConfig.GROUP_ID_CONFIG); // by assignment: no group, no offsets committed
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    // a policy is tens of bytes: a hostile record costs at most one fetch of this size
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(MAX_FETCH_BYTES));
    p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(MAX_FETCH_BYTES));
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "200");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "50");
    p.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, "5000");
    p.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "5000");
    Thread current = Thread.currentThread();
    ClassLoader previous = current.getContextClassLoader();
    current.setContextClassLoader(PolicyConsumer.class.getClassLoader());
    try {
      return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    } finally {
      current.setContextClassLoader(previous);
    }
  }

  private void failed(String why) {
    state.unreadable(why);
    state.refresh(System.currentTimeMillis());
    say(
        "[tripline] protect: cannot read the policy topic "
            + topic
            + ": "
            + why
            + "; protection fails open (nothing refused), monitoring goes on");
  }

  /** One line per distinct cause, not one per retry. */
  private void say(String line) {
    if (!line.equals(said)) {
      said = line;
      System.err.println(line);
    }
  }

  private void pause() {
    sleep(RETRY_MS);
  }
}

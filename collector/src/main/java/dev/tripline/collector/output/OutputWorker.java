package dev.tripline.collector.output;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.tripline.model.Alert;
import dev.tripline.model.AnalystAction;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jspecify.annotations.Nullable;

/**
 * One output's delivery loop, on a thread of its own with a consumer of its own (group {@code
 * <application.id>-output-<name>}): so a slow or dead receiver holds back that output alone — never
 * detection (a separate consumer of the alerts topic, not a step of the stream), never another
 * output (its own group, its own offsets). Records are handled one at a time in partition order
 * (alerts are keyed by service: a service's alerts arrive in order) and a record's offset is
 * committed only after it was delivered or dead-lettered: at-least-once, and a restart resumes at
 * the first record not yet handled.
 */
final class OutputWorker implements Runnable {
  /** Pause before a consumer that failed is made again. */
  static final Duration CONSUMER_RETRY = Duration.ofSeconds(5);

  private final OutputSpec spec;
  private final OutputState state;
  private final Properties consumerProps;
  private final String alertsTopic;
  private final String actionsTopic;
  private final DeadLetters deadLetters;
  private final PrintStream log;
  private final RateLimit rate;
  private final CountDownLatch stop = new CountDownLatch(1);
  private final CountDownLatch assigned = new CountDownLatch(1);

  /** What this instance delivered (id, version): a second delivery is a counted duplicate. */
  private final Cache<String, Boolean> deliveredVersions =
      Caffeine.newBuilder().maximumSize(10_000).build();

  private volatile @Nullable KafkaConsumer<byte[], byte[]> consumer;
  private @Nullable String lastReason;

  OutputWorker(
      OutputSpec spec,
      OutputState state,
      Properties clientProps,
      String groupId,
      String alertsTopic,
      String actionsTopic,
      DeadLetters deadLetters,
      PrintStream log) {
    this.spec = spec;
    this.state = state;
    this.alertsTopic = alertsTopic;
    this.actionsTopic = actionsTopic;
    this.deadLetters = deadLetters;
    this.log = log;
    this.rate = new RateLimit(spec.get(OutputKeys.RATE));
    Properties p = new Properties();
    p.putAll(clientProps);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, groupId);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    // A new output starts with the alerts raised from now on, not the topic's history.
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    // Alerts are written in exactly-once transactions: an aborted one was never raised.
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    // One record per poll: one alert may retry for the whole budget before the next poll.
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1");
    long budget =
        spec.get(OutputKeys.RETRY_BUDGET).toMillis()
            + 2 * spec.get(OutputKeys.TIMEOUT).toMillis()
            + 60_000;
    p.put(
        ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG,
        Long.toString(Math.min(Integer.MAX_VALUE, budget)));
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    this.consumerProps = p;
  }

  /** Waits until the consumer holds its partitions (tests, the demo); false on timeout. */
  boolean awaitAssigned(Duration timeout) throws InterruptedException {
    return assigned.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void run() {
    while (stop.getCount() > 0) {
      try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerProps)) {
        consumer = c;
        List<String> topics = new ArrayList<>(List.of(alertsTopic));
        if (spec.sender().resolves()) {
          topics.add(actionsTopic);
        }
        c.subscribe(topics, new PinNewPartitions(c));
        loop(c);
      } catch (WakeupException e) {
        return; // closing
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        // A broken consumer (authorisation, a fenced group): said, then made again.
        String reason = "consumer: " + HttpPost.clip(String.valueOf(e), 300);
        state.failing(reason);
        say(reason + "; starting it again in " + CONSUMER_RETRY.toSeconds() + " s");
        try {
          if (stop.await(CONSUMER_RETRY.toMillis(), TimeUnit.MILLISECONDS)) {
            return;
          }
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      } finally {
        consumer = null;
      }
    }
  }

  /**
   * A partition this output's group never committed on starts at its end ("latest") — and that
   * start is committed at once: else a partition that had no alert before a restart would start at
   * its end again, skipping what came while the output was down.
   */
  private static final class PinNewPartitions implements ConsumerRebalanceListener {
    private final KafkaConsumer<byte[], byte[]> c;

    PinNewPartitions(KafkaConsumer<byte[], byte[]> c) {
      this.c = c;
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (partitions.isEmpty()) {
        return;
      }
      Map<TopicPartition, OffsetAndMetadata> committed = c.committed(Set.copyOf(partitions));
      Map<TopicPartition, OffsetAndMetadata> pin = new HashMap<>();
      for (TopicPartition tp : partitions) {
        if (committed.get(tp) == null) {
          pin.put(tp, new OffsetAndMetadata(c.position(tp)));
        }
      }
      if (!pin.isEmpty()) {
        c.commitSync(pin);
      }
    }
  }

  private void loop(KafkaConsumer<byte[], byte[]> c) throws InterruptedException {
    while (stop.getCount() > 0) {
      ConsumerRecords<byte[], byte[]> records = c.poll(Duration.ofMillis(500));
      if (!c.assignment().isEmpty()) {
        assigned.countDown();
      }
      for (ConsumerRecord<byte[], byte[]> r : records) {
        if (!handle(r)) {
          return; // stopping: not committed, delivered again after the restart
        }
        c.commitSync(
            Map.of(
                new TopicPartition(r.topic(), r.partition()),
                new OffsetAndMetadata(r.offset() + 1)));
      }
      long lag = 0;
      for (TopicPartition tp : c.assignment()) {
        OptionalLong l = c.currentLag(tp);
        lag += l.orElse(0);
      }
      state.backlog.set(lag);
    }
  }

  /** Delivers (or dead-letters, or skips) one record; false only when stopping first. */
  private boolean handle(ConsumerRecord<byte[], byte[]> r) throws InterruptedException {
    Notice notice;
    try {
      notice = notice(r);
    } catch (InvalidProtocolBufferException e) {
      return deadLetters.send(spec.name(), r, "not a readable record: " + e.getMessage(), stop)
          && counted(state.deadLetters);
    }
    if (notice == null) {
      return true;
    }
    return deliver(notice, r);
  }

  private static boolean counted(io.micrometer.core.instrument.Counter c) {
    c.increment();
    return true;
  }

  /** The notice a record stands for, or null when this output has nothing to do with it. */
  private @Nullable Notice notice(ConsumerRecord<byte[], byte[]> r)
      throws InvalidProtocolBufferException {
    byte[] value = r.value() == null ? new byte[0] : r.value();
    if (r.topic().equals(actionsTopic)) {
      AnalystAction a = AnalystAction.parseFrom(value);
      boolean closes =
          a.getType() == AnalystAction.ActionType.ACKNOWLEDGE
              || a.getType() == AnalystAction.ActionType.ACCEPT_INTO_PROFILE;
      if (!closes || a.getAlertId().isEmpty() || !spec.filter().matchesService(a.getService())) {
        return null;
      }
      return new Notice(
          Notice.Kind.RESOLVE,
          Alert.newBuilder().setId(a.getAlertId()).setService(a.getService()).build());
    }
    Alert alert = Alert.parseFrom(value);
    if (alert.getId().isEmpty()) {
      throw new InvalidProtocolBufferException("an alert without an id");
    }
    if (!spec.filter().matches(alert)) {
      state.filtered.increment();
      return null;
    }
    Notice n = Notice.of(alert);
    if (n.kind() == Notice.Kind.UPDATE && !spec.get(OutputKeys.REPEATS)) {
      state.filtered.increment();
      return null;
    }
    return n;
  }

  /** Tries until delivered, refused for good, or out of budget; false only when stopping. */
  private boolean deliver(Notice n, ConsumerRecord<byte[], byte[]> r) throws InterruptedException {
    long start = System.nanoTime();
    long budget = spec.get(OutputKeys.RETRY_BUDGET).toNanos();
    int attempt = 0;
    while (true) {
      if (!rate.acquire(stop)) {
        return false;
      }
      Delivery d;
      try {
        d = spec.sender().send(n);
      } catch (RuntimeException e) {
        // A sender bug must not stop the output: counted as a failure, retried, then dead-lettered.
        d = Delivery.retry("internal error: " + HttpPost.clip(String.valueOf(e), 300));
      }
      if (d instanceof Delivery.Delivered) {
        String version =
            n.kind()
                + "|"
                + n.alert().getId()
                + "|"
                + n.alert().getCount()
                + "|"
                + n.alert().getLastSeenMs()
                + "|"
                + n.alert().getReopened();
        if (deliveredVersions.asMap().putIfAbsent(version, Boolean.TRUE) != null) {
          state.duplicates.increment();
        }
        state.delivered.increment();
        if (lastReason != null) {
          say("delivering again");
          lastReason = null;
        }
        state.ok();
        return true;
      }
      state.failures.increment();
      if (d instanceof Delivery.Failed f) {
        state.failing(f.reason());
        return deadLetter(r, f.reason(), attempt + 1);
      }
      Delivery.Retry retry = (Delivery.Retry) d;
      state.failing(retry.reason());
      if (!retry.reason().equals(lastReason)) {
        say(retry.reason() + "; retrying");
        lastReason = retry.reason();
      }
      Duration wait = retry.after() != null ? retry.after() : backoff(attempt);
      long spent = System.nanoTime() - start;
      if (spent + wait.toNanos() > budget) {
        return deadLetter(
            r,
            "gave up after "
                + (attempt + 1)
                + " attempt(s) in "
                + TimeUnit.NANOSECONDS.toSeconds(spent)
                + " s (retry.budget): "
                + retry.reason(),
            attempt + 1);
      }
      if (stop.await(wait.toMillis(), TimeUnit.MILLISECONDS)) {
        return false;
      }
      attempt++;
      state.retries.increment();
    }
  }

  private boolean deadLetter(ConsumerRecord<byte[], byte[]> r, String reason, int attempts)
      throws InterruptedException {
    if (!deadLetters.send(spec.name(), r, reason, stop)) {
      return false;
    }
    state.deadLetters.increment();
    state.gaveUp(reason);
    say("dead-lettered after " + attempts + " attempt(s): " + reason);
    return true;
  }

  /** initial × 2^attempt, at most retry.max, times a jitter in [0.5, 1). */
  Duration backoff(int attempt) {
    long initial = spec.get(OutputKeys.RETRY_INITIAL).toMillis();
    long max = spec.get(OutputKeys.RETRY_MAX).toMillis();
    long base = attempt >= 30 ? max : Math.min(max, initial << attempt);
    double jitter = 0.5 + ThreadLocalRandom.current().nextDouble() * 0.5;
    return Duration.ofMillis(Math.max(1, (long) (base * jitter)));
  }

  private void say(String what) {
    log.println(
        "[tripline] output '"
            + spec.name()
            + "' ("
            + spec.type()
            + "): "
            + HttpPost.clip(what, 500));
  }

  void stop() {
    stop.countDown();
    KafkaConsumer<byte[], byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
  }
}

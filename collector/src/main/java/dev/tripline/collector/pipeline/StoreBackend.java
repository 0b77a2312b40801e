package dev.tripline.collector.pipeline;

import dev.tripline.collector.api.AnalystBackend;
import dev.tripline.collector.api.NotFoundException;
import dev.tripline.collector.config.CollectorConfig;
import dev.tripline.collector.config.CollectorKeys;
import dev.tripline.collector.kafka.CollectorTopics;
import dev.tripline.model.Alert;
import dev.tripline.model.AnalystAction;
import dev.tripline.model.ServiceProfile;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.jspecify.annotations.Nullable;

/**
 * {@link AnalystBackend} over the global view stores, with actions written to the actions topic.
 */
final class StoreBackend implements AnalystBackend, AutoCloseable {
  private final KafkaStreams streams;
  private final String actionsTopic;
  private final KafkaProducer<String, byte[]> producer;
  private final java.util.function.Supplier<Health> health;

  StoreBackend(
      KafkaStreams streams,
      CollectorConfig config,
      String bootstrap,
      java.util.function.Supplier<Health> health) {
    this.streams = streams;
    this.health = health;
    this.actionsTopic = config.get(CollectorKeys.TOPIC_ACTIONS);
    Properties p = CollectorTopics.clientProperties(config, bootstrap);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  @Override
  public List<Alert> alerts(AlertQuery q) {
    List<Alert> out = all(Names.ALERT_VIEW_STORE, Alert.parser()::parseFrom);
    return out.stream()
        .filter(a -> q.service() == null || a.getService().equals(q.service()))
        .filter(a -> q.minSeverity() == null || a.getSeverityValue() >= q.minSeverity().getNumber())
        .filter(a -> q.reason() == null || a.getReason() == q.reason())
        .filter(a -> q.state() == null || a.getState() == q.state())
        .sorted(Comparator.comparingLong(Alert::getTimeMs).reversed().thenComparing(Alert::getId))
        .limit(q.limit() <= 0 ? Long.MAX_VALUE : q.limit())
        .toList();
  }

  @Override
  public Optional<Alert> alert(String id) {
    return get(Names.ALERT_VIEW_STORE, id, Alert.parser()::parseFrom);
  }

  @Override
  public List<ServiceProfile> profiles() {
    return all(Names.PROFILE_VIEW_STORE, ServiceProfile.parser()::parseFrom).stream()
        .sorted(Comparator.comparing(ServiceProfile::getService))
        .toList();
  }

  @Override
  public Optional<ServiceProfile> profile(String service) {
    return get(Names.PROFILE_VIEW_STORE, service, ServiceProfile.parser()::parseFrom);
  }

  @Override
  public void submit(AnalystAction request) {
    AnalystAction action = request;
    String alertId = request.getAlertId();
    switch (action.getType()) {
      case ACKNOWLEDGE, ACCEPT_INTO_PROFILE -> {
        Alert alert =
            alert(alertId)
                .orElseThrow(() -> new NotFoundException("no alert with id '" + alertId + "'"));
        if (!action.getService().isEmpty() && !action.getService().equals(alert.getService())) {
          throw new IllegalArgumentException(
              "alert " + alert.getId() + " belongs to service " + alert.getService());
        }
        action = action.toBuilder().setService(alert.getService()).build();
      }
      case SET_LEARNING, SET_MONITORING, RETIRE_SERVICE, SET_PROTECTION -> {
        if (profile(action.getService()).isEmpty()) {
          throw new NotFoundException("no service named '" + action.getService() + "'");
        }
      }
      case ACTION_TYPE_UNSPECIFIED, UNRECOGNIZED ->
          throw new IllegalArgumentException("unknown action type " + action.getType());
    }
    AnalystAction a =
        action.toBuilder()
            .setId(action.getId().isEmpty() ? UUID.randomUUID().toString() : action.getId())
            .setTimeMs(action.getTimeMs() == 0 ? System.currentTimeMillis() : action.getTimeMs())
            .build();
    try {
      producer
          .send(new ProducerRecord<>(actionsTopic, a.getService(), a.toByteArray()))
          .get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not record the action: " + e.getMessage(), e);
    }
  }

  @Override
  public Health health() {
    return health.get();
  }

  @Override
  public List<AnalystAction> actions(int limit) {
    return all(Names.AUDIT_STORE, AnalystAction.parser()::parseFrom).stream()
        .sorted(Comparator.comparingLong(AnalystAction::getTimeMs).reversed())
        .limit(limit <= 0 ? Long.MAX_VALUE : limit)
        .toList();
  }

  interface Decode<T> {
    T apply(byte[] bytes) throws Exception;
  }

  private <T> List<T> all(String storeName, Decode<T> decode) {
    List<T> out = new ArrayList<>();
    ReadOnlyKeyValueStore<String, byte[]> store = store(storeName);
    if (store == null) {
      return out;
    }
    try (KeyValueIterator<String, byte[]> it = store.all()) {
      while (it.hasNext()) {
        KeyValue<String, byte[]> kv = it.next();
        T v = decodeQuietly(decode, kv.value);
        if (v != null) out.add(v);
      }
    }
    return out;
  }

  private <T> Optional<T> get(String storeName, String key, Decode<T> decode) {
    ReadOnlyKeyValueStore<String, byte[]> store = store(storeName);
    return store == null || key == null
        ? Optional.empty()
        : Optional.ofNullable(decodeQuietly(decode, store.get(key)));
  }

  private @Nullable ReadOnlyKeyValueStore<String, byte[]> store(String name) {
    try {
      return streams.store(
          StoreQueryParameters.fromNameAndType(
              name, QueryableStoreTypes.<String, byte[]>keyValueStore()));
    } catch (RuntimeException e) {
      return null; // not queryable yet (rebalancing): the caller sees no data rather than an error
    }
  }

  private static <T> @Nullable T decodeQuietly(Decode<T> decode, byte[] bytes) {
    if (bytes == null) return null;
    try {
      return decode.apply(bytes);
    } catch (Exception e) {
      return null;
    }
  }

  @Override
  public void close() {
    producer.close(java.time.Duration.ofSeconds(5));
  }
}

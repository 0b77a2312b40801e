package dev.tripline.collector.pipeline;

import dev.tripline.collector.alert.OcsfJson;
import dev.tripline.collector.detect.AlertFolding;
import dev.tripline.collector.detect.Detection;
import dev.tripline.collector.profile.Profiles;
import dev.tripline.model.Alert;
import dev.tripline.model.AnalystAction;
import dev.tripline.model.EventBatch;
import dev.tripline.model.ServiceProfile;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jspecify.annotations.Nullable;

/**
 * Moves records and state around {@link Detection}, which makes every decision: batches and analyst
 * actions in; alerts (protobuf and OCSF JSON), views, audit records and dead letters out; profiles
 * and alerts in their changelogged stores (the parser before it sets aside a record that keeps
 * killing the thread), and drives the periodic tick on wall-clock time. Time comes from {@code
 * clock} (the system clock; a topology test's clock follows the wall-clock time it advances).
 */
final class DetectionProcessor
    implements Processor<Object, Object, Object, Object>, Detection.State {
  private static final long PROFILE_VIEW_EVERY_MS = 2_000;

  private final Detection.Settings settings;
  private final Meters meters;
  private final Bounds bounds;
  private final LongSupplier clock;
  private Detection detection;
  private ProcessorContext<Object, Object> context;
  // Raw bytes: the processor parses them itself, through the memo (the changelog is the same).
  private KeyValueStore<String, byte[]> profiles;
  private final ProfileMemo memo;
  private KeyValueStore<String, Alert> alerts;
  private final Map<String, Long> profileViewAt = new HashMap<>();

  DetectionProcessor(
      Detection.Settings settings, Meters meters, Bounds bounds, LongSupplier clock) {
    this.settings = settings;
    this.meters = meters;
    this.bounds = bounds;
    this.clock = clock;
    this.memo = new ProfileMemo(bounds.parsedProfiles());
  }

  @Override
  public void init(ProcessorContext<Object, Object> context) {
    this.context = context;
    this.profiles = context.getStateStore(Names.PROFILES_STORE);
    memo.clear(); // a task re-initialised (revived after an abort, or assigned again) starts cold
    this.alerts = context.getStateStore(Names.ALERTS_STORE);
    this.detection = new Detection(settings, bounds.maxEntriesPerKind(), meters, clock.getAsLong());
    context.schedule(
        Duration.ofMillis(500), PunctuationType.WALL_CLOCK_TIME, now -> detection.tick(now, this));
  }

  @Override
  public void close() {
    memo.clear();
  }

  @Override
  public void process(Record<Object, Object> record) {
    long now = clock.getAsLong();
    try {
      bounds.poison().fault.accept(record.value());
      if (record.value() instanceof EventBatch raw) {
        EventBatch batch = raw; // strings and lists capped at the edge (Parsers.Parse.check)
        Profiles profile = profile(batch.getAgent().getService(), now);
        meters.eventsIn(detection.batch(profile, batch, now, this));
        bounds.poison().faultBeforeSave.accept(raw);
        save(profile, now);
      } else if (record.value() instanceof AnalystAction action) {
        AnalystAction recorded = detection.action(bounds.strings().apply(action), now, this);
        context.forward(
            new Record<Object, Object>(recorded.getId(), recorded, now), Names.AUDIT_SINK);
      }
    } catch (RuntimeException e) {
      // A record the detector cannot handle is set aside, never a reason to stop the stream.
      deadLetter(record, "detection failed: " + e, now);
    }
  }

  private void deadLetter(Record<Object, Object> record, String reason, long now) {
    meters.deadLetters().increment();
    byte[] bytes =
        record.value() instanceof com.google.protobuf.MessageLite m ? m.toByteArray() : new byte[0];
    RecordHeaders headers = new RecordHeaders();
    headers.add("tripline.error", reason.getBytes(StandardCharsets.UTF_8));
    context
        .recordMetadata()
        .ifPresent(
            m -> {
              headers.add("tripline.source.topic", m.topic().getBytes(StandardCharsets.UTF_8));
              headers.add(
                  "tripline.source.offset",
                  (m.partition() + "@" + m.offset()).getBytes(StandardCharsets.UTF_8));
            });
    // The sink's serializer cuts the key, value and headers to what the topic accepts.
    context.forward(
        new Record<Object, Object>(
            String.valueOf(record.key()).getBytes(StandardCharsets.UTF_8), bytes, now, headers),
        Names.DEAD_LETTER_SINK);
  }

  @Override
  public boolean raise(Alert fresh) {
    AlertFolding.Folded f =
        AlertFolding.fold(alert(fresh.getId()), fresh, RecordLimits.MAX_ALERT_INSTANCES);
    Alert stored = bounds.records().fit(f.stored());
    update(stored);
    if (f.publish()) {
      context.forward(
          new Record<Object, Object>(stored.getService(), stored, stored.getLastSeenMs()),
          Names.ALERTS_SINK);
      context.forward(
          new Record<Object, Object>(
              stored.getService(),
              OcsfJson.of(stored).getBytes(StandardCharsets.UTF_8),
              stored.getLastSeenMs()),
          Names.ALERTS_JSON_SINK);
      if (f.fresh()) {
        meters.alert(stored.getReason());
      }
    }
    return f.fresh();
  }

  @Override
  public @Nullable Alert alert(String id) {
    return id == null || id.isEmpty() ? null : alerts.get(id);
  }

  @Override
  public void update(Alert alert) {
    alerts.put(alert.getId(), alert);
    context.forward(
        new Record<Object, Object>(alert.getId(), alert, alert.getLastSeenMs()),
        Names.ALERT_VIEW_SINK);
  }

  @Override
  public Profiles profile(String service, long now) {
    byte[] bytes = service == null || service.isEmpty() ? null : profiles.get(service);
    ProfileMemo.Kept kept = bytes == null ? null : memo.take(service, bytes);
    Profiles profile;
    if (kept != null) {
      // exactly what the store holds, parsed when it was written
      profile =
          kept.working() != null
              ? kept.working().resume(kept.message())
              : Profiles.of(kept.message());
    } else {
      ServiceProfile stored = ProtoSerde.parse(bytes, ServiceProfile.parser());
      if (stored == null) {
        meters.newService(service);
        return Profiles.create(service, now, settings.learningPeriod())
            .bounded(bounds.maxEntriesPerKind(), bounds.records().maxProfileBytes(), 0);
      }
      profile = Profiles.of(stored);
    }
    return profile.bounded(
        bounds.maxEntriesPerKind(), bounds.records().maxProfileBytes(), bytes.length);
  }

  @Override
  public void retire(String service) {
    profiles.delete(service);
    memo.drop(service);
    profileViewAt.remove(service);
    // a tombstone: the service leaves every instance's global view (and services.max's count)
    context.forward(
        new Record<Object, Object>(service, null, clock.getAsLong()), Names.PROFILE_VIEW_SINK);
  }

  @Override
  public void forEachProfile(Consumer<Profiles> action) {
    try (KeyValueIterator<String, byte[]> it = profiles.all()) {
      while (it.hasNext()) {
        KeyValue<String, byte[]> kv = it.next();
        // Read-only use of the memo: the action may change the profile without saving it.
        ProfileMemo.Kept kept = memo.peek(kv.key, kv.value);
        ServiceProfile p =
            kept != null ? kept.message() : ProtoSerde.parse(kv.value, ServiceProfile.parser());
        if (p != null) {
          action.accept(Profiles.of(p));
        }
      }
    }
  }

  @Override
  public void save(Profiles profile, long now) {
    ServiceProfile p = bounds.records().fit(profile); // within profile.max.bytes, whatever happened
    byte[] bytes = p.toByteArray();
    profiles.put(p.getService(), bytes);
    memo.keep(p.getService(), bytes, p, profile.lastBuilt(p) ? profile : null);
    meters.state(p.getService(), p.getState());
    Long last = profileViewAt.get(p.getService());
    if (profile.structuralChange() || last == null || now - last >= PROFILE_VIEW_EVERY_MS) {
      profileViewAt.put(p.getService(), now);
      context.forward(new Record<Object, Object>(p.getService(), p, now), Names.PROFILE_VIEW_SINK);
    }
  }
}

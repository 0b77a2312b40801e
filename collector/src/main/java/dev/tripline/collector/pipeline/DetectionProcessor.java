package dev.tripline.collector.pipeline;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.tripline.collector.alert.Alerts;
import dev.tripline.collector.alert.OcsfJson;
import dev.tripline.collector.detect.Classifier;
import dev.tripline.collector.detect.Detector;
import dev.tripline.collector.detect.Mitre;
import dev.tripline.collector.detect.RateModel;
import dev.tripline.collector.normalize.Normalizer;
import dev.tripline.collector.profile.Profiles;
import dev.tripline.model.AgentIdentity;
import dev.tripline.model.Alert;
import dev.tripline.model.AlertReason;
import dev.tripline.model.AlertState;
import dev.tripline.model.AnalystAction;
import dev.tripline.model.Event;
import dev.tripline.model.EventBatch;
import dev.tripline.model.InstanceSeen;
import dev.tripline.model.MitreTechnique;
import dev.tripline.model.ProfileState;
import dev.tripline.model.RateWindow;
import dev.tripline.model.Schema;
import dev.tripline.model.ServiceProfile;
import dev.tripline.model.Severity;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Where events become alerts. Per service (the record key, so one task owns a service): learn the
 * profile while LEARNING, raise NEW_* for unknown behaviour once MONITORING, KNOWN_BAD always, and
 * RATE_ANOMALY per window. Applies analyst actions. State lives in changelogged stores; repeats of
 * an alert fold into its count and are re-published only at 10, 100, 1000… occurrences.
 */
final class DetectionProcessor implements Processor<Object, Object, Object, Object> {
  private static final long PROFILE_VIEW_EVERY_MS = 2_000;

  private final Settings settings;
  private final Meters meters;
  private final Bounds bounds;
  private final Map<String, Integer> newAlerts = new HashMap<>(); // service|kind -> NEW_* raised (bounded per kind)
  private final Detector detector;
  private ProcessorContext<Object, Object> context;
  private KeyValueStore<String, byte[]> profiles;
  private KeyValueStore<String, byte[]> alerts;
  private final Map<String, RateModel.Window> windows = new HashMap<>();
  private final Map<String, Long> profileViewAt = new HashMap<>();
  private long windowEnd;

  /** What the processor needs from the configuration. */
  record Settings(Duration learningPeriod, Duration learningQuiet, Duration rateWindow, Classifier classifier,
      RateModel rateModel, boolean codeOwners) {
    Settings(Duration learningPeriod, Duration learningQuiet, Duration rateWindow, Classifier classifier, RateModel rateModel) {
      this(learningPeriod, learningQuiet, rateWindow, classifier, rateModel, true);
    }
  }

  DetectionProcessor(Settings settings, Meters meters, Bounds bounds) {
    this.settings = settings;
    this.meters = meters;
    this.bounds = bounds;
    this.detector = new Detector(settings.classifier(), settings.codeOwners());
  }

  @Override
  public void init(ProcessorContext<Object, Object> context) {
    this.context = context;
    this.profiles = context.getStateStore(Names.PROFILES_STORE);
    this.alerts = context.getStateStore(Names.ALERTS_STORE);
    this.windowEnd = System.currentTimeMillis() + settings.rateWindow().toMillis();
    context.schedule(Duration.ofMillis(500), PunctuationType.WALL_CLOCK_TIME, this::tick);
  }

  @Override
  public void process(Record<Object, Object> record) {
    long now = System.currentTimeMillis();
    PoisonGuard.Position at = context.recordMetadata()
        .map(m -> new PoisonGuard.Position(m.topic(), m.partition(), m.offset())).orElse(null);
    if (at != null && bounds.poison().begin(at)) {
      // This record killed the stream thread poison.max.tries times: set it aside, never loop on it.
      meters.poisonSkipped();
      deadLetter(record, "skipped after killing the stream thread " + bounds.poison().tries(at) + " times (last failure: "
          + bounds.poison().lastFailure() + ")", now);
      return;
    }
    try {
      bounds.poison().fault.accept(record.value());
      if (record.value() instanceof EventBatch) {
        onBatch((EventBatch) record.value(), now);
      } else if (record.value() instanceof AnalystAction) {
        onAction(bounds.strings().apply((AnalystAction) record.value()), now);
      }
    } catch (RuntimeException e) {
      // A record the detector cannot handle is set aside, never a reason to stop the stream.
      deadLetter(record, "detection failed: " + e, now);
    }
    if (at != null && bounds.poison().careful(at)) {
      context.commit(); // replaying after a thread failure: one record per transaction finds the culprit
    }
  }

  private void deadLetter(Record<Object, Object> record, String reason, long now) {
    meters.deadLetters().increment();
    byte[] bytes = record.value() instanceof com.google.protobuf.MessageLite
        ? ((com.google.protobuf.MessageLite) record.value()).toByteArray() : new byte[0];
    org.apache.kafka.common.header.internals.RecordHeaders headers = new org.apache.kafka.common.header.internals.RecordHeaders();
    headers.add("tripline.error", reason.getBytes(StandardCharsets.UTF_8));
    context.recordMetadata().ifPresent(m -> {
      headers.add("tripline.source.topic", m.topic().getBytes(StandardCharsets.UTF_8));
      headers.add("tripline.source.offset", (m.partition() + "@" + m.offset()).getBytes(StandardCharsets.UTF_8));
    });
    // The sink's serializer cuts the key, value and headers to what the topic accepts.
    context.forward(new Record<Object, Object>(String.valueOf(record.key()).getBytes(StandardCharsets.UTF_8), bytes, now, headers),
        Names.DEAD_LETTER_SINK);
  }

  private void onBatch(EventBatch raw, long now) {
    EventBatch batch = bounds.strings().apply(raw);
    AgentIdentity agent = batch.getAgent();
    String service = agent.getService();
    Profiles profile = load(service, now);
    RateModel.Window window = windows.computeIfAbsent(service, s -> new RateModel.Window());
    long events = 0;
    ProfileOverflow overflow = new ProfileOverflow(meters);
    for (Event e : batch.getEventsList()) {
      events += Math.max(1, e.getCount());
      window.add(e);
      Detector.Verdict v = detector.judge(profile, agent, e, now);
      if (v.alert() != null) {
        raise(v.alert());
      } else if (v.learned() != null) {
        overflow.add(v.key(), e, v.learned());
      } else if (v.newBehaviour() != null) {
        String kind = service + "|" + Normalizer.kindFamily(e.getKind());
        if (newAlerts.getOrDefault(kind, 0) >= bounds.maxEntriesPerKind()) {
          overflow.add(v.key(), e, Profiles.Learned.OVERFLOW); // this many distinct new behaviours: one finding, not thousands of alerts
        } else if (raise(v.newBehaviour())) {
          newAlerts.merge(kind, 1, Integer::sum);
        }
      }
    }
    overflow.report(profile, agent, bounds.maxEntriesPerKind(), now).forEach(this::raise);
    meters.eventsIn(events);
    InstanceSeen.Builder seen = profile.builder().getInstancesOrDefault(agent.getInstanceId(), InstanceSeen.getDefaultInstance())
        .toBuilder().setAgent(agent).setLastSeenMs(now);
    if (seen.getFirstSeenMs() == 0) {
      seen.setFirstSeenMs(now);
    }
    if (batch.hasHealth()) {
      seen.setLastHealth(batch.getHealth());
    }
    profile.builder().putInstances(agent.getInstanceId(), seen.build())
        .setEventsTotal(profile.builder().getEventsTotal() + events);
    save(profile, now);
  }

  private void onAction(AnalystAction action, long now) {
    AnalystAction a = action.toBuilder()
        .setId(action.getId().isEmpty() ? UUID.randomUUID().toString() : action.getId())
        .setTimeMs(action.getTimeMs() == 0 ? now : action.getTimeMs())
        .build();
    String service = a.getService();
    switch (a.getType()) {
      case ACKNOWLEDGE:
      case ACCEPT_INTO_PROFILE: {
        Alert alert = read(alerts, a.getAlertId(), Alert.parser());
        if (alert == null || !alert.getService().equals(service)) {
          a = a.toBuilder().setComment(a.getComment() + " [no such alert for this service]").build();
          break;
        }
        boolean accept = a.getType() == AnalystAction.ActionType.ACCEPT_INTO_PROFILE;
        Alert updated = alert.toBuilder().setState(accept ? AlertState.ACCEPTED : AlertState.ACKNOWLEDGED)
            .addHistory(a).build();
        alerts.put(updated.getId(), updated.toByteArray());
        publishView(updated);
        if (accept && alert.getReason() != AlertReason.RATE_ANOMALY && alert.getReason() != AlertReason.PROFILE_OVERFLOW) {
          Profiles profile = load(service, now);
          String key = Normalizer.kindFamily(alert.getEvent().getKind()) + "|" + alert.getNormalizedTarget();
          profile.add(key, alert.getEvent(), "accepted by " + a.getActor(), now);
          save(profile, now);
        }
        break;
      }
      case SET_LEARNING:
      case SET_MONITORING: {
        Profiles profile = load(service, now);
        profile.setState(a.getType() == AnalystAction.ActionType.SET_LEARNING ? ProfileState.LEARNING : ProfileState.MONITORING,
            a.getActor(), now, settings.learningPeriod());
        save(profile, now);
        break;
      }
      default:
        break;
    }
    context.forward(new Record<Object, Object>(a.getId(), a.toByteArray(), now), Names.AUDIT_SINK);
  }

  /** Every 500 ms: end learning where due; close the rate window and judge it. */
  private void tick(long now) {
    boolean windowClosed = now >= windowEnd;
    try (KeyValueIterator<String, byte[]> it = profiles.all()) {
      while (it.hasNext()) {
        KeyValue<String, byte[]> kv = it.next();
        ServiceProfile stored = parse(kv.value, ServiceProfile.parser());
        if (stored == null) {
          continue;
        }
        Profiles profile = Profiles.of(stored);
        boolean changed = false;
        if (profile.readyToMonitor(now, settings.learningQuiet())) {
          profile.setState(ProfileState.MONITORING, "auto", now, settings.learningPeriod());
          changed = true;
        }
        if (windowClosed) {
          RateModel.Window w = windows.remove(kv.key);
          double[] features = w == null ? new double[RateModel.FEATURES.length] : w.features();
          if (profile.state() == ProfileState.MONITORING) {
            try {
              RateModel.Verdict v = settings.rateModel().judge(profile.builder().getRateHistoryList(), features);
              if (v != null) {
                raise(rateAlert(profile.builder().build(), v, now));
              }
            } catch (RuntimeException e) {
              meters.modelError(); // a model failure costs one window's verdict, never the stream
            }
          }
          RateWindow.Builder rw = RateWindow.newBuilder().setEndMs(now).setState(profile.state());
          for (double f : features) rw.addFeatures(f);
          profile.builder().addRateHistory(rw);
          changed = true;
        }
        if (changed) {
          save(profile, now);
        }
      }
    }
    if (windowClosed) {
      windowEnd = now + settings.rateWindow().toMillis();
    }
  }

  private Alert rateAlert(ServiceProfile profile, RateModel.Verdict v, long now) {
    String feature = RateModel.FEATURES[v.feature()];
    MitreTechnique mitre = v.feature() == 1 ? Mitre.NETWORK_SERVICE_DISCOVERY
        : v.feature() == 0 ? Mitre.EXFILTRATION_OVER_C2 : v.feature() == 4 ? Mitre.COMMAND_INTERPRETER : Mitre.DATA_FROM_LOCAL_SYSTEM;
    String title = String.format("Rate anomaly: %.0f %s in %s (learned at most %.0f)", v.value(), feature,
        settings.rateWindow().toString().substring(2).toLowerCase(), v.learnedMax());
    AgentIdentity agent = profile.getInstancesMap().values().stream().map(InstanceSeen::getAgent).findFirst()
        .orElse(AgentIdentity.newBuilder().setService(profile.getService()).build());
    return Alert.newBuilder()
        .setSchemaVersion(Schema.VERSION)
        .setId(Alerts.id(profile.getService(), AlertReason.RATE_ANOMALY, "rate|" + feature, Event.getDefaultInstance()))
        .setTimeMs(now).setLastSeenMs(now)
        .setService(profile.getService())
        .addAllInstances(profile.getInstancesMap().keySet())
        .setReason(AlertReason.RATE_ANOMALY)
        .setSeverity(settings.rateModel().confident(v) ? Severity.HIGH : Severity.MEDIUM)
        .setTitle(title)
        .setDescription(title + ". The value is far beyond every window seen while the profile was learning; "
            + "the isolation forest trained on those windows scores it " + String.format("%.2f", v.score())
            + " (threshold for high severity " + settings.rateModel() + ").")
        .setAgent(agent)
        .setNormalizedTarget("rate|" + feature)
        .setRule("rate:" + feature.replace(' ', '-'))
        .setMitre(mitre)
        .setScore(v.score())
        .setCount(1)
        .setContext(Alerts.context(profile, dev.tripline.model.EventKind.NET_CONNECT, now))
        .setState(AlertState.OPEN)
        .build();
  }

  /** New alert: store and publish. Known alert: fold the repeat, publish again only at 10, 100, 1000… True when new. */
  private boolean raise(Alert fresh) {
    Alert existing = read(alerts, fresh.getId(), Alert.parser());
    Alert stored;
    boolean publish;
    if (existing == null) {
      stored = fresh;
      publish = true;
    } else {
      long before = existing.getCount();
      long after = before + fresh.getCount();
      Alert.Builder b = existing.toBuilder().setCount(after).setLastSeenMs(fresh.getLastSeenMs());
      for (String instance : fresh.getInstancesList()) {
        if (b.getInstancesCount() < RecordLimits.MAX_ALERT_INSTANCES && !b.getInstancesList().contains(instance)) b.addInstances(instance);
      }
      stored = b.build();
      publish = crossesPowerOfTen(before, after);
    }
    stored = bounds.records().fit(stored);
    alerts.put(stored.getId(), stored.toByteArray());
    publishView(stored);
    if (publish) {
      context.forward(new Record<Object, Object>(stored.getService(), stored.toByteArray(), stored.getLastSeenMs()), Names.ALERTS_SINK);
      context.forward(new Record<Object, Object>(stored.getService(), OcsfJson.of(stored).getBytes(StandardCharsets.UTF_8),
          stored.getLastSeenMs()), Names.ALERTS_JSON_SINK);
      if (existing == null) {
        meters.alert(stored.getReason());
      }
    }
    return existing == null;
  }

  static boolean crossesPowerOfTen(long before, long after) {
    for (long t = 10; t > 0 && t <= after; t *= 10) {
      if (before < t) return true;
    }
    return false;
  }

  private Profiles load(String service, long now) {
    byte[] bytes = service == null || service.isEmpty() ? null : profiles.get(service);
    ServiceProfile stored = parse(bytes, ServiceProfile.parser());
    if (stored == null) {
      meters.newService(service);
      return Profiles.create(service, now, settings.learningPeriod())
          .bounded(bounds.maxEntriesPerKind(), bounds.records().maxProfileBytes(), 0);
    }
    // The stored length is the serialised size: no second pass over the profile to compute it.
    return Profiles.of(stored).bounded(bounds.maxEntriesPerKind(), bounds.records().maxProfileBytes(), bytes.length);
  }

  private void save(Profiles profile, long now) {
    ServiceProfile p = bounds.records().fit(profile); // within profile.max.bytes, whatever happened
    profiles.put(p.getService(), p.toByteArray());
    meters.state(p.getService(), p.getState());
    Long last = profileViewAt.get(p.getService());
    if (profile.structuralChange() || last == null || now - last >= PROFILE_VIEW_EVERY_MS) {
      profileViewAt.put(p.getService(), now);
      context.forward(new Record<Object, Object>(p.getService(), p.toByteArray(), now), Names.PROFILE_VIEW_SINK);
    }
  }

  private void publishView(Alert a) {
    context.forward(new Record<Object, Object>(a.getId(), a.toByteArray(), a.getLastSeenMs()), Names.ALERT_VIEW_SINK);
  }

  private static <T> T read(KeyValueStore<String, byte[]> store, String key, com.google.protobuf.Parser<T> parser) {
    return key == null || key.isEmpty() ? null : parse(store.get(key), parser);
  }

  static <T> T parse(byte[] bytes, com.google.protobuf.Parser<T> parser) {
    if (bytes == null) {
      return null;
    }
    try {
      return parser.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      return null;
    }
  }
}

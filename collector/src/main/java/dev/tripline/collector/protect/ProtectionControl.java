package dev.tripline.collector.protect;

import dev.tripline.collector.api.AnalystBackend;
import dev.tripline.collector.api.NotFoundException;
import dev.tripline.collector.config.CollectorConfig;
import dev.tripline.collector.config.CollectorKeys;
import dev.tripline.model.AnalystAction;
import dev.tripline.model.EventKind;
import dev.tripline.model.ProtectionMode;
import dev.tripline.model.ProtectionPolicy;
import dev.tripline.model.Schema;
import dev.tripline.model.protect.PolicyReader;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code GET/PUT /api/services/{service}/protection} and the CLI do. A change is checked
 * completely before anything is written (request, then the service's existence), then recorded in
 * the audit trail as a {@code SET_PROTECTION} analyst action (who, when, the policy before and
 * after), then published as the service's next policy version on its policy topic. Refusals are
 * counted in {@code tripline_protection_refused_total{reason}}; changes in {@code
 * tripline_protection_changes_total{mode}}.
 *
 * <p>The audit record is written first: a change that fails to publish leaves an audit entry of an
 * attempt (and the old policy in force), never a policy in force that nobody recorded.
 */
public final class ProtectionControl implements AutoCloseable {
  private final AnalystBackend backend;
  private final PolicyStore store;
  private final MeterRegistry registry;
  private final long maxAgeMs;
  private final PolicyRefresher refresher;

  public ProtectionControl(CollectorConfig config, AnalystBackend backend, MeterRegistry registry) {
    this.backend = backend;
    this.registry = registry;
    this.store = new PolicyStore(config, registry);
    Duration refresh = config.get(CollectorKeys.PROTECTION_REFRESH);
    Duration maxAge = config.get(CollectorKeys.PROTECTION_MAX_AGE);
    if (!maxAge.isZero() && maxAge.compareTo(refresh.multipliedBy(2)) < 0) {
      throw new IllegalArgumentException(
          "configuration key 'protection.max.age' ("
              + maxAge
              + ") must be 0s or at least twice 'protection.refresh' ("
              + refresh
              + "): every policy would expire between two refreshes");
    }
    this.maxAgeMs = maxAge.toMillis();
    for (String reason : List.of("malformed", "unknown_mode", "unknown_kind", "unknown_service")) {
      refusedCounter(reason); // present at 0, so dashboards can rate() them
    }
    this.refresher = new PolicyRefresher(this, backend, refresh, registry).start();
  }

  /** The service's protection as the API shows it; {@code off} when no policy was ever issued. */
  public Map<String, Object> view(String service) {
    requireService(service);
    return json(service, store.current(service));
  }

  /**
   * Sets the service's protection from a request body; returns the new policy as the API shows it.
   *
   * @throws ProtectionRequest.Invalid when the body is not a valid request (nothing written)
   * @throws NotFoundException when the service is unknown (nothing written)
   */
  public Map<String, Object> set(String service, byte[] body, String actor) {
    ProtectionRequest request;
    try {
      request = ProtectionRequest.parse(body);
    } catch (ProtectionRequest.Invalid e) {
      refusedCounter(e.reason()).increment();
      throw e;
    }
    requireService(service);
    // One change at a time in this collector: each reads the version the previous one wrote.
    synchronized (this) {
      Optional<ProtectionPolicy> before = store.current(service);
      long now = System.currentTimeMillis();
      ProtectionPolicy policy =
          issue(
              ProtectionPolicy.newBuilder()
                  .setMode(request.mode())
                  .addAllKinds(request.kinds())
                  .setIssuedBy(actor)
                  .setSetAtMs(now),
              service,
              before,
              now);
      AnalystAction.Builder audit =
          AnalystAction.newBuilder()
              .setType(AnalystAction.ActionType.SET_PROTECTION)
              .setService(service)
              .setActor(actor)
              .setTimeMs(now)
              .setProtection(policy)
              .setComment(
                  "protection "
                      + before.map(ProtectionControl::describe).orElse("off (never set)")
                      + " -> "
                      + describe(policy));
      before.ifPresent(audit::setProtectionBefore);
      backend.submit(audit.build());
      store.write(policy);
      refresher.issued(policy);
      Counter.builder("tripline.protection.changes")
          .tag("mode", ProtectionModes.text(policy.getMode()))
          .register(registry)
          .increment();
      return json(service, Optional.of(policy));
    }
  }

  /**
   * Re-issues the service's policy in force with its current allow list, a fresh issue time and the
   * next version: what the refresher does when the profile grew, its state changed or the policy is
   * due. Reads the policy in force first (another collector may have changed the mode). Not
   * audited: no analyst changed anything. Returns the record written, or empty when the service has
   * no policy in force (none, or off).
   */
  Optional<ProtectionPolicy> reissue(String service) {
    synchronized (this) {
      Optional<ProtectionPolicy> current = store.current(service);
      if (current.isEmpty() || !on(current.get())) return current;
      ProtectionPolicy c = current.get();
      ProtectionPolicy policy =
          issue(
              ProtectionPolicy.newBuilder()
                  .setMode(c.getMode())
                  .addAllKinds(c.getKindsList())
                  .setIssuedBy(c.getIssuedBy())
                  .setSetAtMs(c.getSetAtMs() > 0 ? c.getSetAtMs() : c.getIssuedAtMs()),
              service,
              current,
              System.currentTimeMillis());
      store.write(policy);
      return Optional.of(policy);
    }
  }

  /** The policy in force on the service's topic (what the refresher starts from). */
  Optional<ProtectionPolicy> current(String service) {
    return store.current(service);
  }

  /** The policies in force of many services, read in one pass (the refresher's scan). */
  Map<String, Optional<ProtectionPolicy>> current(Collection<String> services) {
    return store.current(services);
  }

  /** A policy that asks agents to judge (dry-run or block). */
  static boolean on(ProtectionPolicy p) {
    return p.getMode() == ProtectionMode.DRY_RUN || p.getMode() == ProtectionMode.BLOCK;
  }

  /**
   * {@code b} completed as the service's next policy: its allow list from the profile, the next
   * version, issued {@code now}. The version is above the last one and time-based, so two collector
   * instances racing on the same service rarely pick the same number (readers refuse a conflicting
   * repeat); it never wraps: a version at the reader's bound is never the base of another one.
   */
  ProtectionPolicy issue(
      ProtectionPolicy.Builder b, String service, Optional<ProtectionPolicy> before, long now) {
    long previous = before.map(ProtectionPolicy::getVersion).orElse(0L);
    if (previous >= PolicyReader.MAX_VERSION) {
      throw new IllegalStateException(
          "the policy in force for '"
              + service
              + "' has version "
              + previous
              + ": refusing to wrap");
    }
    b.setSchemaVersion(Schema.VERSION)
        .setService(service)
        .setVersion(Math.max(previous + 1, now))
        .setIssuedAtMs(now)
        .setMaxAgeMs(maxAgeMs);
    return AllowLists.fill(b, backend.profile(service).orElse(null)).build();
  }

  /** The allow list the service's profile would give {@code p} now (to compare, not issued). */
  ProtectionPolicy withCurrentList(ProtectionPolicy p) {
    return AllowLists.fill(p.toBuilder(), backend.profile(p.getService()).orElse(null)).build();
  }

  private void requireService(String service) {
    if (backend.profile(service).isEmpty()) {
      refusedCounter("unknown_service").increment();
      throw new NotFoundException("no service named '" + service + "'");
    }
  }

  /** "block (PROCESS_SPAWN, NET_CONNECT), version 3". */
  static String describe(ProtectionPolicy p) {
    StringBuilder sb = new StringBuilder(ProtectionModes.text(p.getMode())).append(" (");
    for (int i = 0; i < p.getKindsCount(); i++) {
      if (i > 0) sb.append(", ");
      sb.append(p.getKinds(i).name());
    }
    return sb.append("), version ").append(p.getVersion()).toString();
  }

  /** The API's shape of a service's protection. */
  public static Map<String, Object> json(String service, Optional<ProtectionPolicy> policy) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("service", service);
    ProtectionPolicy p = policy.orElse(ProtectionPolicy.getDefaultInstance());
    m.put("mode", ProtectionModes.text(p.getMode()));
    m.put("kinds", p.getKindsList().stream().map(EventKind::name).toList());
    m.put("version", p.getVersion());
    m.put("issuedAt", p.getIssuedAtMs());
    m.put("issuedBy", p.getIssuedBy());
    m.put("issued", policy.isPresent());
    m.put("setAt", p.getSetAtMs());
    m.put("maxAgeMs", p.getMaxAgeMs());
    m.put("profileState", p.getProfileState().name());
    m.put("allowed", p.getAllowedCount() + p.getAllowedGeneralizedCount());
    m.put("truncatedKinds", p.getTruncatedKindsList().stream().map(EventKind::name).toList());
    return m;
  }

  private Counter refusedCounter(String reason) {
    return Counter.builder("tripline.protection.refused")
        .description("protection changes refused (nothing written)")
        .tag("reason", reason)
        .register(registry);
  }

  @Override
  public void close() {
    refresher.close();
    store.close();
  }
}

package dev.tripline.collector.protect;

import dev.tripline.collector.api.AnalystBackend;
import dev.tripline.model.ProtectionPolicy;
import dev.tripline.model.ServiceProfile;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Keeps every policy in force current, on its own thread ({@code tripline-policy-refresh}): every
 * few seconds it compares each such service's published allow list with what its profile gives now
 * and re-issues the policy when they differ (the profile grew, an alert was accepted, the state
 * changed); and it re-issues every policy in force each {@code protection.refresh}, so its issue
 * time stays within {@code protection.max.age} while the collector runs. Which services have a
 * policy in force is learned from the changes made here and, each refresh, from every known
 * service's policy topic (another collector instance may have set one).
 *
 * <p>Counted: {@code tripline_protection_reissued_total{why}} (grown, due) and {@code
 * tripline_protection_refresh_failures_total}. A failure is printed and retried on the next round,
 * never fatal: agents keep the last policy until it ages out, then fail open.
 */
final class PolicyRefresher implements AutoCloseable {
  /** How often the allow lists are compared with the profiles: the growth-to-agent delay. */
  static final Duration CHECK = Duration.ofSeconds(5);

  private final ProtectionControl control;
  private final AnalystBackend backend;
  private final long refreshMs;
  private final MeterRegistry registry;
  private final Map<String, ProtectionPolicy> inForce = new ConcurrentHashMap<>();
  private final ScheduledExecutorService thread =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "tripline-policy-refresh");
            t.setDaemon(true);
            return t;
          });
  private long lastScanMs = Long.MIN_VALUE / 2;
  private @Nullable ScheduledFuture<?> rounds;

  PolicyRefresher(
      ProtectionControl control, AnalystBackend backend, Duration refresh, MeterRegistry registry) {
    this.control = control;
    this.backend = backend;
    this.refreshMs = refresh.toMillis();
    this.registry = registry;
    Counter.builder("tripline.protection.refresh.failures").register(registry);
  }

  PolicyRefresher start() {
    long period = Math.min(CHECK.toMillis(), refreshMs);
    rounds = thread.scheduleWithFixedDelay(this::round, period, period, TimeUnit.MILLISECONDS);
    return this;
  }

  /** A policy just written by an analyst's change: watched from now on (or dropped when off). */
  void issued(ProtectionPolicy p) {
    if (ProtectionControl.on(p)) inForce.put(p.getService(), p);
    else inForce.remove(p.getService());
  }

  private void round() {
    try {
      long now = System.currentTimeMillis();
      if (now - lastScanMs >= refreshMs) {
        lastScanMs = now;
        scan();
      }
      for (Map.Entry<String, ProtectionPolicy> e : inForce.entrySet()) {
        ProtectionPolicy published = e.getValue();
        boolean due = now - published.getIssuedAtMs() >= refreshMs;
        boolean grown = !due && !AllowLists.sameList(published, control.withCurrentList(published));
        if (due || grown) reissue(e.getKey(), due ? "due" : "grown");
      }
    } catch (RuntimeException e) {
      failed(e);
    }
  }

  /**
   * Every known service's policy topic, read in one pass by one consumer: a policy set elsewhere
   * (another collector instance) is watched too. A failed pass changes nothing; the next retries.
   */
  private void scan() {
    List<String> services = backend.profiles().stream().map(ServiceProfile::getService).toList();
    Map<String, Optional<ProtectionPolicy>> current;
    try {
      current = control.current(services);
    } catch (RuntimeException e) {
      failed(e);
      return;
    }
    for (Map.Entry<String, Optional<ProtectionPolicy>> e : current.entrySet()) {
      String service = e.getKey();
      Optional<ProtectionPolicy> policy = e.getValue();
      if (policy.isPresent() && ProtectionControl.on(policy.get())) {
        inForce.merge(service, policy.get(), (a, b) -> a.getVersion() >= b.getVersion() ? a : b);
      } else {
        inForce.remove(service);
      }
    }
  }

  private void reissue(String service, String why) {
    try {
      Optional<ProtectionPolicy> now = control.reissue(service);
      if (now.isPresent() && ProtectionControl.on(now.get())) {
        inForce.put(service, now.get());
        registry.counter("tripline.protection.reissued", "why", why).increment();
      } else {
        inForce.remove(service);
      }
    } catch (RuntimeException e) {
      failed(e);
    }
  }

  private void failed(RuntimeException e) {
    registry.counter("tripline.protection.refresh.failures").increment();
    System.err.println("[tripline] protection policy refresh failed (retried): " + e);
  }

  @Override
  public void close() {
    ScheduledFuture<?> r = rounds;
    if (r != null) r.cancel(true);
    thread.shutdownNow();
    try {
      thread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

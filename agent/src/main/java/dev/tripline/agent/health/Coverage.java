package dev.tripline.agent.health;

import dev.tripline.model.AgentHealth;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * What this agent can and cannot see, for every heartbeat: the configuration warnings it worked
 * around and the hooks woven or missing. An analyst can then tell a quiet instance from a
 * half-blind one.
 */
public final class Coverage {
  private final List<String> configWarnings;
  private final Supplier<List<String>> applied;
  private final Supplier<List<String>> all;
  private final Runnable beforeFirstReport;
  private boolean prepared;
  private volatile java.util.Map<String, Long> startupMs = java.util.Map.of();

  /**
   * @param beforeFirstReport runs once on the pipeline thread before hooks are first reported (it
   *     loads the hooked JDK classes, so that a hook not yet woven really means one that did not
   *     match)
   */
  public Coverage(
      List<String> configWarnings,
      Supplier<List<String>> applied,
      Supplier<List<String>> all,
      Runnable beforeFirstReport) {
    this.configWarnings = List.copyOf(configWarnings);
    this.applied = applied;
    this.all = all;
    this.beforeFirstReport = beforeFirstReport;
  }

  /** Hook names meant for this JVM that are not woven. */
  public List<String> missing() {
    prepare();
    List<String> missing = new ArrayList<>(all.get());
    missing.removeAll(applied.get());
    return missing;
  }

  /** {@code health} with warnings and hooks added. Called by the pipeline thread only. */
  /** The hook the canary goes through ({@code pipeline.Canary}). */
  public static final String CANARY_HOOK = "file.FileInputStream.open";

  /**
   * Whether a canary can be performed: its hook is woven (not so with {@code capture} without
   * file).
   */
  public boolean canaryPossible() {
    return applied.get().contains(CANARY_HOOK);
  }

  public AgentHealth addTo(AgentHealth health) {
    List<String> missing = missing();
    return health.toBuilder()
        .addAllConfigWarnings(configWarnings)
        .addAllHooksApplied(applied.get())
        .addAllHooksMissing(missing)
        .putAllStartupMs(startupMs)
        .build();
  }

  /** Start-up cost by phase, reported with every heartbeat. */
  public void startup(java.util.Map<String, Long> phasesMs) {
    this.startupMs = java.util.Map.copyOf(phasesMs);
  }

  private void prepare() {
    if (!prepared) {
      prepared = true;
      beforeFirstReport.run();
    }
  }
}

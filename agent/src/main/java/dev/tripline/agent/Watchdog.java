package dev.tripline.agent;

import dev.tripline.agent.gate.Gate;

/**
 * The agent's second thread ({@code tripline-watchdog}): about once a second it makes sure the
 * pipeline thread is alive, and the pipeline thread makes sure the watchdog is. Neither stops on
 * {@code interrupt()}: an interrupt is absorbed and reported as a tamper finding.
 */
final class Watchdog implements Runnable {
  static final long PERIOD_MS = 1_000;

  private final AgentRuntime runtime;

  private Watchdog(AgentRuntime runtime) {
    this.runtime = runtime;
  }

  /** Starts a watchdog over {@code runtime}; returns its thread. */
  static Thread start(AgentRuntime runtime) {
    Thread t = new Thread(new Watchdog(runtime), "tripline-watchdog");
    t.setDaemon(true);
    t.start();
    return t;
  }

  @Override
  public void run() {
    Gate.markAgentThread();
    while (!runtime.stopping()) {
      try {
        Thread.sleep(PERIOD_MS);
      } catch (InterruptedException e) {
        runtime.stats().tamper().found("watchdog thread interrupted");
      }
      try {
        runtime.check();
      } catch (RuntimeException e) {
        runtime.stats().error();
      }
    }
  }
}

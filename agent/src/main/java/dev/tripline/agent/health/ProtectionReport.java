package dev.tripline.agent.health;

import dev.tripline.model.AgentHealth;

/**
 * Protect mode's figures, for the heartbeat ({@code AgentHealth} 21..25), the meters and the MBean:
 * implemented by {@code protect.ProtectionState}, read on the pipeline thread.
 */
public interface ProtectionReport {
  /** Adds the protection fields to a heartbeat. */
  void addTo(AgentHealth.Builder health);

  /** The mode in force: 0 off, 1 dry-run, 2 block (ProtectionMode's numbers). */
  int modeNumber();

  /** 1 when protection failed open (a policy wanted it, or none could be read), else 0. */
  int failedOpen();

  long blocked();

  long wouldBlock();

  /** Stack walks protect mode made for the context categories of a guarded call. */
  long contextWalks();

  /** Policy records refused (corrupt, oversized, another service's, unknown mode, rollbacks…). */
  long policyRefused();
}

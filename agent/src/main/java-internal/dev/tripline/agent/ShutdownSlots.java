package dev.tripline.agent;

import jdk.internal.access.SharedSecrets;

/**
 * The JDK's system shutdown-hook slots ({@code java.lang.Shutdown}), reached through its own
 * shared-secrets interface and called directly: compiled on its own against {@code
 * jdk.internal.access} (JDK 12+; the agent's pom, with {@code BootDefiner}), which premain exports
 * to the agent's module alone ({@code BoundAddresses.open}). A method handle or reflective call of
 * {@code Shutdown.add} costs the application's start-up milliseconds of method-handle spinning on
 * JDK 18+; this costs a field read. On JDK 11, or where the export failed, it fails to link and
 * {@link LastShutdownHook} takes the method handle.
 */
final class ShutdownSlots {
  private ShutdownSlots() {}

  /** Registers {@code hook} in system slot {@code slot}; throws if the slot is taken. */
  static void add(int slot, Runnable hook) {
    SharedSecrets.getJavaLangAccess().registerShutdownHook(slot, false, hook);
  }
}

package dev.tripline.agent.config;

import org.jspecify.annotations.Nullable;

/** premain's hand-over slot ({@link AgentEntry}); not public: reached through that alone. */
final class EntrySlot {
  static final ThreadLocal<@Nullable AgentEntry> SLOT = new ThreadLocal<>();

  private EntrySlot() {}
}

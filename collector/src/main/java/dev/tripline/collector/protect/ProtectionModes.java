package dev.tripline.collector.protect;

import dev.tripline.model.EventKind;
import dev.tripline.model.ProtectionMode;
import dev.tripline.model.protect.ProtectionJudges;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** The words users type for modes and kinds, and which kinds protection can enforce. */
public final class ProtectionModes {
  /**
   * Kinds an agent can refuse at the entry of the hooked method, before any I/O: the shared judge's
   * ({@link ProtectionJudges#ENFORCEABLE}).
   */
  public static final Set<EventKind> ENFORCEABLE = ProtectionJudges.ENFORCEABLE;

  /** Enforced when the request names no kinds: spawns and outbound connections. */
  public static final List<EventKind> DEFAULT_KINDS =
      List.of(EventKind.PROCESS_SPAWN, EventKind.NET_CONNECT);

  private ProtectionModes() {}

  /** "off", "dry-run", "block". */
  public static String text(ProtectionMode mode) {
    return switch (mode) {
      case DRY_RUN -> "dry-run";
      case BLOCK -> "block";
      default -> "off";
    };
  }

  /** The mode a user named (case-insensitive; "dry_run" too), or null when there is none. */
  public static @Nullable ProtectionMode mode(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "off" -> ProtectionMode.PROTECTION_OFF;
      case "dry-run", "dry_run", "dryrun" -> ProtectionMode.DRY_RUN;
      case "block" -> ProtectionMode.BLOCK;
      default -> null;
    };
  }

  /** The kind a user named (an EventKind name, case-insensitive), or null when there is none. */
  public static @Nullable EventKind kind(String text) {
    String name = text.trim().toUpperCase(Locale.ROOT);
    for (EventKind k : EventKind.values()) {
      if (k != EventKind.UNRECOGNIZED
          && k != EventKind.EVENT_KIND_UNSPECIFIED
          && k.name().equals(name)) {
        return k;
      }
    }
    return null;
  }
}

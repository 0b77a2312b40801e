package dev.tripline.model.judge;

import static dev.tripline.model.EventKind.CODE_ORIGIN;
import static dev.tripline.model.EventKind.DATAGRAM;
import static dev.tripline.model.EventKind.DNS_LOOKUP;
import static dev.tripline.model.EventKind.FILE_DELETE;
import static dev.tripline.model.EventKind.FILE_READ;
import static dev.tripline.model.EventKind.FILE_RENAME;
import static dev.tripline.model.EventKind.FILE_WRITE;
import static dev.tripline.model.EventKind.NATIVE_LOAD;
import static dev.tripline.model.EventKind.NET_ACCEPT;
import static dev.tripline.model.EventKind.NET_CONNECT;
import static dev.tripline.model.EventKind.NET_LISTEN;
import static dev.tripline.model.EventKind.PROCESS_SPAWN;

import dev.tripline.model.EventKind;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The part of the kind table the judgement needs, shared by the collector's {@code KindTable}
 * (which adds titles, reasons, severities) and the agent: per kind, the kind a profile files it
 * under and the shape of its target. One row per kind; the collector's {@code KindTableTest} checks
 * every kind of the schema has one.
 */
public final class KindShapes {
  private static final Map<EventKind, EventKind> PROFILE_KIND = new EnumMap<>(EventKind.class);
  private static final Map<EventKind, TargetShape> TARGET = new EnumMap<>(EventKind.class);

  static {
    // spotless:off — kind, the kind its profile files it under, its target's shape
    row(NET_CONNECT,   NET_CONNECT,   TargetShape.ENDPOINT);
    row(DATAGRAM,      NET_CONNECT,   TargetShape.ENDPOINT);
    row(NET_LISTEN,    NET_LISTEN,    TargetShape.LOCAL_PORT);
    row(NET_ACCEPT,    NET_ACCEPT,    TargetShape.LOCAL_PORT);
    row(DNS_LOOKUP,    DNS_LOOKUP,    TargetShape.DNS_NAME);
    row(FILE_READ,     FILE_READ,     TargetShape.PATH);
    row(FILE_WRITE,    FILE_WRITE,    TargetShape.PATH);
    row(FILE_RENAME,   FILE_WRITE,    TargetShape.RENAMED_PATH);
    row(FILE_DELETE,   FILE_DELETE,   TargetShape.PATH);
    row(PROCESS_SPAWN, PROCESS_SPAWN, TargetShape.COMMAND);
    row(NATIVE_LOAD,   NATIVE_LOAD,   TargetShape.CODE);
    row(CODE_ORIGIN,   CODE_ORIGIN,   TargetShape.CODE);
    // spotless:on
  }

  /**
   * Kinds an agent can refuse at the entry of the hooked method, before any I/O
   * (docs/protection.md). Accepts, listens, lookups, datagrams and code loading are watched, never
   * refused: no rule and no policy can make a judge refuse them.
   */
  public static final Set<EventKind> ENFORCEABLE =
      Collections.unmodifiableSet(
          EnumSet.of(PROCESS_SPAWN, NET_CONNECT, FILE_READ, FILE_WRITE, FILE_DELETE, FILE_RENAME));

  private KindShapes() {}

  private static void row(EventKind kind, EventKind profileKind, TargetShape target) {
    if (PROFILE_KIND.put(kind, profileKind) != null) {
      throw new IllegalStateException("two rows for " + kind);
    }
    TARGET.put(kind, target);
  }

  /** The shape of a kind's target; {@link TargetShape#NONE} for an unset or unknown kind. */
  public static TargetShape target(EventKind kind) {
    TargetShape t = TARGET.get(kind);
    return t == null ? TargetShape.NONE : t;
  }

  /**
   * The kind a profile files this kind under (NET_CONNECT for a datagram, FILE_WRITE for a rename);
   * an unset or unknown kind files under itself.
   */
  public static EventKind profileKind(EventKind kind) {
    EventKind k = PROFILE_KIND.get(kind);
    return k == null ? kind : k;
  }

  /** The first part of a profile key: the profile kind's name. */
  public static String profileFamily(EventKind kind) {
    return profileKind(kind).name();
  }

  /** True when the table has a row for {@code kind}. */
  public static boolean known(EventKind kind) {
    return PROFILE_KIND.containsKey(kind);
  }
}

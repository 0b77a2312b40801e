package dev.tripline.collector.kind;

import static dev.tripline.collector.kind.KindRow.Family.CODE;
import static dev.tripline.collector.kind.KindRow.Family.DNS;
import static dev.tripline.collector.kind.KindRow.Family.FILE;
import static dev.tripline.collector.kind.KindRow.Family.NETWORK;
import static dev.tripline.collector.kind.KindRow.Family.PROCESS;
import static dev.tripline.collector.kind.RateFeature.CONNECTS;
import static dev.tripline.collector.kind.RateFeature.DNS_LOOKUPS;
import static dev.tripline.collector.kind.RateFeature.FILE_READS;
import static dev.tripline.collector.kind.RateFeature.FILE_WRITES;
import static dev.tripline.collector.kind.RateFeature.SPAWNS;
import static dev.tripline.model.AlertReason.NEW_CODE;
import static dev.tripline.model.AlertReason.NEW_CONNECTION;
import static dev.tripline.model.AlertReason.NEW_FILE_ACCESS;
import static dev.tripline.model.AlertReason.NEW_LISTEN;
import static dev.tripline.model.AlertReason.NEW_PROCESS;
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
import static dev.tripline.model.Severity.HIGH;
import static dev.tripline.model.Severity.LOW;
import static dev.tripline.model.Severity.MEDIUM;
import static dev.tripline.model.judge.Mitre.APP_LAYER_PROTOCOL;
import static dev.tripline.model.judge.Mitre.COMMAND_INTERPRETER;
import static dev.tripline.model.judge.Mitre.DATA_FROM_LOCAL_SYSTEM;
import static dev.tripline.model.judge.Mitre.NON_STANDARD_PORT;
import static dev.tripline.model.judge.Mitre.REFLECTIVE_CODE_LOADING;
import static dev.tripline.model.judge.Mitre.SHARED_MODULES;
import static dev.tripline.model.judge.Mitre.STORED_DATA_MANIPULATION;

import dev.tripline.model.AlertReason;
import dev.tripline.model.EventKind;
import dev.tripline.model.Severity;
import dev.tripline.model.judge.KindShapes;
import dev.tripline.model.judge.Mitre;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The one table of event kinds: a new kind of behaviour is one row here and one in the shared
 * {@link KindShapes} (and, if its target has a new shape, one case in the switches over {@code
 * TargetShape}, which javac then names). {@code KindTableTest} checks that every kind of the schema
 * has a complete row.
 */
public final class KindTable {
  private static final Map<EventKind, KindRow> ROWS = new EnumMap<>(EventKind.class);
  private static final Map<String, KindRow> BY_NAME = new HashMap<>();

  /** What an event of no known kind (unset, or from a newer agent) gets: as before the table. */
  public static final KindRow UNKNOWN =
      new KindRow(
          EventKind.EVENT_KIND_UNSPECIFIED,
          KindRow.Family.NONE,
          NEW_FILE_ACCESS,
          LOW,
          Mitre.STORED_DATA_MANIPULATION,
          "New behaviour",
          "normally does",
          "behaviour",
          null);

  static {
    // spotless:off — the rows read as a table: one kind per line
    // kind, family, reason, severity, MITRE, title, context verb, noun phrase, rate feature
    // (the kind a profile files it under and its target's shape: the shared KindShapes)
    row(NET_CONNECT,   NETWORK, NEW_CONNECTION,  MEDIUM, APP_LAYER_PROTOCOL,       "New outbound connection to ", "normally connects to",    "connection to",  CONNECTS);
    row(DATAGRAM,      NETWORK, NEW_CONNECTION,  MEDIUM, APP_LAYER_PROTOCOL,       "New UDP destination ",        "normally connects to",    "connection to",  CONNECTS);
    row(NET_LISTEN,    NETWORK, NEW_LISTEN,      MEDIUM, NON_STANDARD_PORT,        "New listening port ",         "normally listens on",     "listening on",   null);
    row(NET_ACCEPT,    NETWORK, NEW_LISTEN,      LOW,    NON_STANDARD_PORT,        "New inbound connections on ", "normally accepts on",     "accepting on",   null);
    row(DNS_LOOKUP,    DNS,     NEW_CONNECTION,  LOW,    APP_LAYER_PROTOCOL,       "New DNS lookup of ",          "normally resolves",       "DNS lookup of",  DNS_LOOKUPS);
    row(FILE_READ,     FILE,    NEW_FILE_ACCESS, MEDIUM, DATA_FROM_LOCAL_SYSTEM,   "New file read: ",             "normally reads",          "read of",        FILE_READS);
    row(FILE_WRITE,    FILE,    NEW_FILE_ACCESS, LOW,    STORED_DATA_MANIPULATION, "New file write: ",            "normally writes",         "write of",       FILE_WRITES);
    row(FILE_RENAME,   FILE,    NEW_FILE_ACCESS, LOW,    STORED_DATA_MANIPULATION, "New file write: ",            "normally writes",         "write of",       FILE_WRITES);
    row(FILE_DELETE,   FILE,    NEW_FILE_ACCESS, LOW,    STORED_DATA_MANIPULATION, "New file delete: ",           "normally deletes",        "delete of",      FILE_WRITES);
    row(PROCESS_SPAWN, PROCESS, NEW_PROCESS,     HIGH,   COMMAND_INTERPRETER,      "New process: ",               "normally runs",           "process",        SPAWNS);
    row(NATIVE_LOAD,   CODE,    NEW_CODE,        HIGH,   SHARED_MODULES,           "New native library loaded: ", "normally loads",          "native library", null);
    row(CODE_ORIGIN,   CODE,    NEW_CODE,        MEDIUM, REFLECTIVE_CODE_LOADING,  "New code origin: ",           "normally runs code from", "code from",      null);
    // spotless:on
  }

  private KindTable() {}

  private static void row(
      EventKind kind,
      KindRow.Family family,
      AlertReason reason,
      Severity severity,
      dev.tripline.model.MitreTechnique mitre,
      String title,
      String normally,
      String done,
      @Nullable RateFeature rateFeature) {
    KindRow row =
        new KindRow(kind, family, reason, severity, mitre, title, normally, done, rateFeature);
    if (ROWS.put(kind, row) != null) {
      throw new IllegalStateException("two rows for " + kind);
    }
    BY_NAME.put(kind.name(), row);
  }

  /** The row of a kind; {@link #UNKNOWN} for an unset or unrecognised one. */
  public static KindRow of(EventKind kind) {
    return ROWS.getOrDefault(kind, UNKNOWN);
  }

  /** The row of a kind by its name (as profile keys spell it), if it is one. */
  public static Optional<KindRow> named(String name) {
    return Optional.ofNullable(BY_NAME.get(name));
  }

  /**
   * The name a profile files this kind under ("NET_CONNECT" for a datagram): the first part of a
   * profile key.
   */
  public static String profileFamily(EventKind kind) {
    return KindShapes.profileFamily(kind);
  }

  /** The rows, in the schema's order. */
  public static Iterable<KindRow> rows() {
    return ROWS.values();
  }
}

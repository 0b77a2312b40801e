package dev.tripline.collector.protect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tripline.collector.json.Json;
import dev.tripline.model.EventKind;
import dev.tripline.model.ProtectionMode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A request to set a service's protection: {@code {"mode":"block","kinds":["PROCESS_SPAWN"]}}, read
 * strictly: one JSON object, only these two fields, a known mode, known and enforceable kinds, each
 * bounded. Anything else is an {@link Invalid} naming the field, before anything is read from or
 * written to Kafka. (The body's size is bounded before it gets here: http.max.body.bytes.)
 */
public record ProtectionRequest(ProtectionMode mode, List<EventKind> kinds) {
  /** More entries than there are kinds: the list is refused, not truncated. */
  static final int MAX_KINDS = 16;

  /** Longest name accepted for a mode or kind. */
  static final int MAX_NAME = 32;

  /** A refused request, with the reason it is counted under. */
  public static final class Invalid extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String reason;

    Invalid(String reason, String message) {
      super(message);
      this.reason = reason;
    }

    /** The {@code tripline_protection_refused_total} reason. */
    public String reason() {
      return reason;
    }
  }

  public static ProtectionRequest parse(byte[] body) {
    if (body.length == 0) {
      throw new Invalid("malformed", "request body must be {\"mode\": \"off|dry-run|block\"}");
    }
    JsonNode node;
    try {
      node = Json.tree(body);
    } catch (IllegalArgumentException e) {
      throw new Invalid("malformed", "request body: " + e.getMessage());
    }
    if (!(node instanceof ObjectNode o)) {
      throw new Invalid("malformed", "request body must be a JSON object");
    }
    for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!f.equals("mode") && !f.equals("kinds")) {
        throw new Invalid("malformed", "unknown field '" + cut(f) + "'; expected kinds, mode");
      }
    }
    JsonNode m = o.get("mode");
    if (m == null || !m.isTextual()) {
      throw new Invalid("malformed", "field 'mode' must be one of off, dry-run, block");
    }
    ProtectionMode mode =
        m.textValue().length() > MAX_NAME ? null : ProtectionModes.mode(m.textValue());
    if (mode == null) {
      throw new Invalid(
          "unknown_mode",
          "field 'mode' has no value '" + cut(m.textValue()) + "'; use off, dry-run or block");
    }
    JsonNode k = o.get("kinds");
    if (k == null || k.isNull()) {
      return new ProtectionRequest(mode, ProtectionModes.DEFAULT_KINDS);
    }
    if (!(k instanceof ArrayNode array)) {
      throw new Invalid("malformed", "field 'kinds' must be an array of event kinds");
    }
    if (array.size() > MAX_KINDS) {
      throw new Invalid("malformed", "field 'kinds' has more than " + MAX_KINDS + " entries");
    }
    Set<EventKind> kinds = new LinkedHashSet<>();
    for (JsonNode e : array) {
      if (!e.isTextual()) {
        throw new Invalid("malformed", "field 'kinds' must hold strings");
      }
      EventKind kind =
          e.textValue().length() > MAX_NAME ? null : ProtectionModes.kind(e.textValue());
      if (kind == null) {
        throw new Invalid(
            "unknown_kind", "field 'kinds': no event kind '" + cut(e.textValue()) + "'");
      }
      if (!ProtectionModes.ENFORCEABLE.contains(kind)) {
        throw new Invalid(
            "unknown_kind",
            "field 'kinds': "
                + kind
                + " is watched, never refused; enforceable: "
                + String.join(", ", enforceableNames()));
      }
      kinds.add(kind);
    }
    return new ProtectionRequest(mode, List.copyOf(kinds));
  }

  private static List<String> enforceableNames() {
    List<String> names = new ArrayList<>();
    for (EventKind k : ProtectionModes.ENFORCEABLE) names.add(k.name());
    names.sort(null);
    return names;
  }

  /** User-supplied text echoed in an error stays short. */
  private static String cut(String s) {
    String printable = s.replaceAll("\\p{Cntrl}", "?");
    return printable.length() > 64 ? printable.substring(0, 64) + "…" : printable;
  }
}

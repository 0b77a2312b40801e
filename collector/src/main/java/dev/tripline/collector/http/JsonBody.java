package dev.tripline.collector.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tripline.collector.json.Json;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;

/**
 * A request body read by a real JSON parser: it must be one JSON object with only the named fields,
 * each of the expected type and length. Every refusal is a 400 that names the field.
 */
final class JsonBody {
  private final ObjectNode object;

  private JsonBody(ObjectNode object) {
    this.object = object;
  }

  /** An empty body is an empty object (the fields are optional); anything else must parse. */
  static JsonBody parse(byte[] body, Set<String> fields) {
    if (body == null || body.length == 0) {
      return new JsonBody(Json.mapper().createObjectNode());
    }
    JsonNode node;
    try {
      node = Json.tree(body);
    } catch (IllegalArgumentException e) {
      throw HttpError.malformedBody("request body: " + e.getMessage());
    }
    if (!(node instanceof ObjectNode o)) {
      throw HttpError.malformedBody(
          "request body must be a JSON object, not "
              + node.getNodeType().name().toLowerCase(Locale.ROOT));
    }
    for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!fields.contains(name)) {
        throw HttpError.malformedBody(
            "unknown field '"
                + bounded(name)
                + "'; "
                + (fields.isEmpty()
                    ? "this request takes no fields"
                    : "expected " + String.join(", ", new java.util.TreeSet<>(fields))));
      }
    }
    return new JsonBody(o);
  }

  /** The string field, or {@code fallback} when absent or null. */
  String string(String field, String fallback, int maxLength) {
    JsonNode v = object.get(field);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isTextual()) {
      throw HttpError.malformedBody("field '" + field + "' must be a string");
    }
    if (v.textValue().length() > maxLength) {
      throw HttpError.malformedBody(
          "field '" + field + "' is longer than " + maxLength + " characters");
    }
    return v.textValue();
  }

  private static String bounded(String name) {
    return name.length() > 64 ? name.substring(0, 64) + "…" : name;
  }
}

package dev.tripline.collector.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The collector's JSON, in and out, on Jackson. Documents are built as plain values ({@link Map} in
 * insertion order, {@link Iterable}, strings, numbers, booleans, null) and read back into the same.
 * Output is safe to embed in HTML ({@code <}, U+2028/9 escaped) and never contains NaN or Infinity
 * (written as null). Input is strict JSON: no NaN, no trailing tokens, bounded nesting and sizes.
 */
public final class Json {
  /** Deepest nesting accepted on input: the collector's own documents are 6 levels deep at most. */
  public static final int MAX_DEPTH = 64;

  private static final ObjectMapper MAPPER = build();

  private Json() {}

  /** The configured mapper (for callers that need trees, e.g. request bodies). */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** Any JSON value as plain Java values (integers as {@link Long}). */
  public static Object parse(String json) {
    try {
      return MAPPER.readValue(json, Object.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("malformed JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** A JSON tree; throws {@link IllegalArgumentException} saying what is wrong and where. */
  public static JsonNode tree(byte[] json) {
    try {
      JsonNode node = MAPPER.readTree(json);
      if (node == null || node.isMissingNode()) {
        throw new IllegalArgumentException("malformed JSON: empty body");
      }
      return node;
    } catch (JsonProcessingException e) {
      String where =
          e.getLocation() == null
              ? ""
              : " at line "
                  + e.getLocation().getLineNr()
                  + " column "
                  + e.getLocation().getColumnNr();
      throw new IllegalArgumentException(
          "malformed JSON" + where + ": " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new IllegalArgumentException("malformed JSON: " + e.getMessage(), e);
    }
  }

  @SuppressWarnings("unchecked")
  public static Map<String, Object> object(String json) {
    Object v = parse(json);
    if (!(v instanceof Map)) {
      throw new IllegalArgumentException("expected a JSON object");
    }
    return (Map<String, Object>) v;
  }

  @SuppressWarnings("unchecked")
  public static List<Object> array(String json) {
    Object v = parse(json);
    if (!(v instanceof List)) {
      throw new IllegalArgumentException("expected a JSON array");
    }
    return (List<Object>) v;
  }

  private static ObjectMapper build() {
    JsonFactory factory =
        new JsonFactoryBuilder()
            .streamReadConstraints(
                StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
            .characterEscapes(new HtmlSafe())
            .build();
    SimpleModule finite = new SimpleModule("finite-numbers");
    finite.addSerializer(Double.class, new FiniteSerializer<>(Double.class));
    finite.addSerializer(double.class, new FiniteSerializer<>(double.class));
    finite.addSerializer(Float.class, new FiniteSerializer<>(Float.class));
    finite.addSerializer(float.class, new FiniteSerializer<>(float.class));
    return JsonMapper.builder(factory)
        .enable(DeserializationFeature.USE_LONG_FOR_INTS)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .addModule(finite)
        .build();
  }

  /** NaN and infinities are not JSON: written as null, as SIEMs expect. */
  private static final class FiniteSerializer<T extends Number> extends StdSerializer<T> {
    FiniteSerializer(Class<T> type) {
      super(type);
    }

    @Override
    public void serialize(T value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      double d = value.doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        gen.writeNull();
      } else if (value instanceof Float f) {
        gen.writeNumber(f);
      } else {
        gen.writeNumber(d);
      }
    }
  }

  /** {@code <} and the JavaScript line separators escaped: a document can be inlined in a page. */
  private static final class HtmlSafe extends CharacterEscapes {
    private final int[] escapes = standardAsciiEscapesForJSON();

    HtmlSafe() {
      escapes['<'] = CharacterEscapes.ESCAPE_STANDARD;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
      return escapes;
    }

    @Override
    public @Nullable SerializableString getEscapeSequence(int ch) {
      return ch == 0x2028
          ? new SerializedString("\\u2028")
          : ch == 0x2029 ? new SerializedString("\\u2029") : null;
    }
  }
}

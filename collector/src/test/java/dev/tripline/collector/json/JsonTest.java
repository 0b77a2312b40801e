package dev.tripline.collector.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

  @Test
  void readsBackWhatItWrites() {
    Map<String, Object> alert = new LinkedHashMap<>();
    alert.put("id", "a1");
    alert.put("count", 12L);
    alert.put("score", 0.75);
    alert.put("title", "New connection to \"c2\" — line\nbreak \\ tab\t \u001b]0;pwned\u0007");
    alert.put("instances", List.of("i-1", "i-2"));
    alert.put("mitre", null);
    alert.put("accepted", true);
    alert.put("history", List.of(Map.of("comment", "bracket ] and brace } inside")));
    String json = Json.write(List.of(alert));
    assertEquals(List.of(alert), Json.array(json));
    assertEquals(json, Json.write(Json.parse(json)), "a round trip keeps order and form");
    assertTrue(json.contains("\\u001B]0;pwned\\u0007"), json);
  }

  @Test
  void outputIsSafeInHtmlAndHasNoNaN() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("s", "</script>\u2028");
    m.put("nan", Double.NaN);
    m.put("inf", Float.POSITIVE_INFINITY);
    m.put("f", 1.5f);
    assertEquals(
        "{\"s\":\"\\u003C/script>\\u2028\",\"nan\":null,\"inf\":null,\"f\":1.5}",
        Json.write(m).replace("\\u003c", "\\u003C"));
  }

  @Test
  void malformedInputIsAClearError() {
    for (String bad :
        Arrays.asList(
            "{\"a\":1",
            "[1 2]",
            "{\"a\":tru}",
            "{} x",
            "{not json",
            "{\"a\":NaN}",
            "{\"a\":1d}",
            "xx\"state\":\"LEARNING\"xx",
            "")) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
      assertTrue(e.getMessage().startsWith("malformed JSON"), e.getMessage());
    }
  }

  @Test
  void deepNestingIsRefusedNotAStackOverflow() {
    String deep = "[".repeat(100_000) + "]".repeat(100_000);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> Json.tree(deep.getBytes(StandardCharsets.UTF_8)));
    assertTrue(e.getMessage().contains("nesting depth"), e.getMessage());
    assertEquals(
        3000, ((String) Json.object("{\"c\":\"" + "x".repeat(3000) + "\"}").get("c")).length());
  }
}

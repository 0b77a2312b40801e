package dev.tripline.collector.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonReaderTest {

  @Test
  void readsBackWhatJsonWrites() {
    Map<String, Object> alert = new LinkedHashMap<>();
    alert.put("id", "a1");
    alert.put("count", 12L);
    alert.put("score", 0.75);
    alert.put("title", "New connection to \"c2\" — line\nbreak \\ tab\t");
    alert.put("instances", List.of("i-1", "i-2"));
    alert.put("mitre", null);
    alert.put("accepted", true);
    alert.put("history", List.of(Map.of("comment", "bracket ] and brace } inside")));
    String json = Json.write(List.of(alert));
    assertEquals(List.of(alert), JsonReader.array(json));
    assertEquals(json, Json.write(JsonReader.parse(json)), "a round trip keeps order and form");
  }

  @Test
  void malformedInputIsAClearError() {
    for (String bad : Arrays.asList("{\"a\":1", "[1 2]", "{\"a\":tru}", "{} x")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JsonReader.parse(bad), bad);
      assertEquals(true, e.getMessage().startsWith("malformed JSON at "), e.getMessage());
    }
  }
}

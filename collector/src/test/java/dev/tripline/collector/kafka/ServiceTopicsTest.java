package dev.tripline.collector.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.config.ServiceTopicName;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The name mapping itself is config's ServiceTopicNameTest (the agent's template uses the same
 * one).
 */
class ServiceTopicsTest {
  @Test
  void aServiceNameMapsAsTheSharedMappingDoes() {
    assertEquals(
        "tripline.events.Order_Service_v2",
        ServiceTopics.topicFor("tripline.events", "Order Service/v2"));
    for (String service : List.of("payments", "café", "../../etc", "x".repeat(1000))) {
      assertEquals(
          ServiceTopicName.under("tripline.events", service),
          ServiceTopics.topicFor("tripline.events", service),
          service);
    }
  }

  @Test
  void thePatternMatchesServiceTopicsOnly() {
    var p = ServiceTopics.pattern("tripline.events");
    assertTrue(p.matcher("tripline.events.payments").matches());
    assertFalse(p.matcher("tripline.events").matches());
    assertFalse(p.matcher("tripline.eventsX").matches());
    assertFalse(p.matcher("tripline-events.payments").matches());
    assertTrue(ServiceTopics.isServiceTopic("tripline.events", "tripline.events.payments"));
    assertFalse(ServiceTopics.isServiceTopic("tripline.events", "tripline.events"));
  }

  @Test
  void aTopicSpeaksForItsServiceOnly() {
    assertTrue(ServiceTopics.speaksFor("tripline.events", "tripline.events.payments", "payments"));
    assertFalse(ServiceTopics.speaksFor("tripline.events", "tripline.events.payments", "orders"));
    assertFalse(
        ServiceTopics.speaksFor("tripline.events", "tripline.events.payments", "payments-eu"));
    assertFalse(ServiceTopics.speaksFor("tripline.events", "tripline.events.payments", ""));
  }
}

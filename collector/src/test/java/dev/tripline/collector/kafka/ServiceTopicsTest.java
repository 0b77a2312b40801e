package dev.tripline.collector.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The agent maps names the same way (KafkaSink.topicFor; agent test ServiceTopicIT checks the same names). */
class ServiceTopicsTest {
  @Test
  void aServiceNameMapsToALegalTopic() {
    assertEquals("tripline.events.payments", ServiceTopics.topicFor("tripline.events", "payments"));
    assertEquals("tripline.events.Order_Service_v2", ServiceTopics.topicFor("tripline.events", "Order Service/v2"));
    assertEquals("tripline.events.caf_", ServiceTopics.topicFor("tripline.events", "café"));
    String longName = "x".repeat(1000);
    assertEquals(ServiceTopics.MAX_TOPIC_LENGTH, ServiceTopics.topicFor("tripline.events", longName).length());
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
    assertFalse(ServiceTopics.speaksFor("tripline.events", "tripline.events.payments", "payments-eu"));
    assertFalse(ServiceTopics.speaksFor("tripline.events", "tripline.events.payments", ""));
  }
}

package dev.tripline.agent.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * {@code kafka.topic} with {@code {service}}: the same names and results as the collector's
 * ServiceTopicsTest.
 */
class KafkaSinkTopicTest {
  @Test
  void theServiceNameMapsToALegalTopicAsTheCollectorMapsIt() {
    assertEquals(
        "tripline.events.payments", KafkaSink.topicFor("tripline.events.{service}", "payments"));
    assertEquals(
        "tripline.events.Order_Service_v2",
        KafkaSink.topicFor("tripline.events.{service}", "Order Service/v2"));
    assertEquals("tripline.events.caf_", KafkaSink.topicFor("tripline.events.{service}", "café"));
    assertEquals(
        249,
        KafkaSink.topicFor(
                "tripline.events.{service}", new String(new char[1000]).replace("\0", "x"))
            .length());
    assertEquals(
        "tripline.events",
        KafkaSink.topicFor("tripline.events", "payments"),
        "no placeholder: the topic as configured");
  }
}

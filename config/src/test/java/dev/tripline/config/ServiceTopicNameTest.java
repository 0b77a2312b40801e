package dev.tripline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One mapping for both sides: the agent's template and the collector's derived topic agree
 * character for character.
 */
class ServiceTopicNameTest {
  @Test
  void aServiceNameMapsToALegalTopic() {
    assertEquals(
        "tripline.events.payments",
        ServiceTopicName.resolve("tripline.events.{service}", "payments"));
    assertEquals(
        "tripline.events.Order_Service_v2",
        ServiceTopicName.resolve("tripline.events.{service}", "Order Service/v2"));
    assertEquals(
        "tripline.events.caf_", ServiceTopicName.resolve("tripline.events.{service}", "café"));
    assertEquals(
        "tripline.events",
        ServiceTopicName.resolve("tripline.events", "payments"),
        "no placeholder: as configured");
    assertEquals("ev.payments.in", ServiceTopicName.resolve("ev.{service}.in", "payments"));
    assertEquals(
        249, ServiceTopicName.resolve("tripline.events.{service}", "x".repeat(1_000_000)).length());
    assertEquals(249, ServiceTopicName.resolve("{service}", "\uD83D\uDE00".repeat(500)).length());
  }

  @Test
  void theAgentsTemplateAndTheCollectorsTopicAgree() {
    for (String service :
        List.of(
            "payments",
            "Order Service/v2",
            "café",
            "",
            "a.b-c_d",
            "../../etc",
            "\u0000\n",
            "x".repeat(300),
            "\uD83D\uDE00",
            "tripline.events.other")) {
      assertEquals(
          ServiceTopicName.resolve("tripline.events.{service}", service),
          ServiceTopicName.under("tripline.events", service),
          service);
    }
  }
}

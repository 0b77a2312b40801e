package dev.tripline.collector.protect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tripline.collector.api.AnalystBackend;
import dev.tripline.collector.api.NotFoundException;
import dev.tripline.model.Alert;
import dev.tripline.model.AnalystAction;
import dev.tripline.model.CallSite;
import dev.tripline.model.Disposition;
import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import dev.tripline.model.ServiceProfile;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The would-block evidence: only WOULD_BLOCK alerts of the service within the window, counted by
 * occurrences per kind, call site and rule, most frequent first. (The alerts are written here: the
 * agent's dry-run marking that raises them comes with the agent side.)
 */
class WouldBlockTest {
  private static final long NOW = 1_800_000_000_000L;

  private static Alert alert(
      String service, Disposition d, EventKind kind, String cls, String rule, long count, long at) {
    return Alert.newBuilder()
        .setService(service)
        .setDisposition(d)
        .setRule(rule)
        .setCount(count)
        .setTimeMs(at)
        .setLastSeenMs(at)
        .setEvent(
            Event.newBuilder()
                .setKind(kind)
                .setCallSite(
                    CallSite.newBuilder()
                        .setClassName(cls)
                        .setMethodName("m")
                        .setJarName("shop.jar")))
        .build();
  }

  /** An analyst backend holding these alerts and one profile, "shop". */
  private static AnalystBackend backend(List<Alert> alerts) {
    return new AnalystBackend() {
      @Override
      public List<Alert> alerts(AlertQuery q) {
        return alerts.stream()
            .filter(a -> q.service() == null || a.getService().equals(q.service()))
            .limit(q.limit())
            .toList();
      }

      @Override
      public Optional<Alert> alert(String id) {
        return Optional.empty();
      }

      @Override
      public List<ServiceProfile> profiles() {
        return List.of(ServiceProfile.newBuilder().setService("shop").build());
      }

      @Override
      public Optional<ServiceProfile> profile(String service) {
        return profiles().stream().filter(p -> p.getService().equals(service)).findFirst();
      }

      @Override
      public void submit(AnalystAction action) {}

      @Override
      public List<AnalystAction> actions(int limit) {
        return List.of();
      }
    };
  }

  @Test
  void countsWouldBlockAlertsOfTheServiceInTheWindowPerKindCallSiteAndRule() {
    long hour = 3_600_000;
    AnalystBackend b =
        backend(
            List.of(
                alert(
                    "shop",
                    Disposition.WOULD_BLOCK,
                    EventKind.NET_CONNECT,
                    "a.Jndi",
                    "jndi-reach-out",
                    3,
                    NOW - hour),
                alert(
                    "shop",
                    Disposition.WOULD_BLOCK,
                    EventKind.PROCESS_SPAWN,
                    "a.Gadget",
                    "gadget-spawn",
                    1,
                    NOW - 2 * hour),
                alert(
                    "shop",
                    Disposition.WOULD_BLOCK,
                    EventKind.NET_CONNECT,
                    "a.Client",
                    "",
                    2,
                    NOW - 3 * hour),
                // not counted: blocked, only told, another service, outside the window
                alert(
                    "shop",
                    Disposition.BLOCKED,
                    EventKind.NET_CONNECT,
                    "a.Jndi",
                    "jndi-reach-out",
                    9,
                    NOW),
                alert(
                    "shop", Disposition.DISPOSITION_NONE, EventKind.NET_CONNECT, "a.X", "", 9, NOW),
                alert(
                    "cart",
                    Disposition.WOULD_BLOCK,
                    EventKind.NET_CONNECT,
                    "a.Jndi",
                    "jndi-reach-out",
                    9,
                    NOW),
                alert(
                    "shop",
                    Disposition.WOULD_BLOCK,
                    EventKind.NET_CONNECT,
                    "a.Old",
                    "",
                    9,
                    NOW - 30 * hour)));
    Map<String, Object> v = WouldBlock.view(b, "shop", Duration.ofHours(24), NOW);
    assertEquals(6L, v.get("total"));
    assertEquals(3, v.get("alerts"));
    assertEquals(
        List.of(
            Map.of("kind", "NET_CONNECT", "count", 5L),
            Map.of("kind", "PROCESS_SPAWN", "count", 1L)),
        v.get("byKind"));
    assertEquals(
        List.of(
            Map.of("callSite", "a.Jndi.m (shop.jar)", "count", 3L),
            Map.of("callSite", "a.Client.m (shop.jar)", "count", 2L),
            Map.of("callSite", "a.Gadget.m (shop.jar)", "count", 1L)),
        v.get("byCallSite"));
    assertEquals(
        List.of(
            Map.of("rule", "jndi-reach-out", "count", 3L),
            Map.of("rule", "new-behaviour:NET_CONNECT", "count", 2L),
            Map.of("rule", "gadget-spawn", "count", 1L)),
        v.get("byRule"));
    // a wider window takes the old one in
    assertEquals(15L, WouldBlock.view(b, "shop", Duration.ofDays(2), NOW).get("total"));
    assertThrows(
        NotFoundException.class, () -> WouldBlock.view(b, "nosuch", Duration.ofHours(1), NOW));
  }

  @Test
  void theWindowIsADurationOfAtMostThirtyDays() {
    assertEquals(Duration.ofHours(24), WouldBlock.window(null));
    assertEquals(Duration.ofMinutes(15), WouldBlock.window("15m"));
    assertEquals(Duration.ofDays(7), WouldBlock.window("7d"));
    for (String bad : List.of("yesterday", "-1h", "31d", "0")) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> WouldBlock.window(bad), bad);
      assertEquals(
          true, e.getMessage().startsWith("query parameter 'window' must be"), e.getMessage());
    }
  }
}

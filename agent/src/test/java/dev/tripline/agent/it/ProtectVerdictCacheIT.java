package dev.tripline.agent.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.kafka.EmbeddedKafka;
import dev.tripline.kafka.KafkaBroker;
import dev.tripline.model.Disposition;
import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import dev.tripline.model.ProtectionMode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verdict cache hole, in a real JVM with the real agent, broker and judge: a peer first reached
 * by plain code (allowed, cached) and then through a real JNDI lookup ({@code InitialContext} and
 * the JDK's LDAP provider) is refused in block before the listener sees it — while the plain
 * connects to it go on — and in dry-run goes through, reported {@code WOULD_BLOCK}.
 */
@ExtendWith(KafkaBroker.class)
class ProtectVerdictCacheIT {
  static final class App extends ForkedApp {
    App(Path java, Path dir, List<String> props, int port) throws java.io.IOException {
      super(
          java,
          dir,
          props,
          Map.of(),
          "dev.tripline.testapp.CacheHoleApp",
          Integer.toString(port),
          dir.resolve("stop").toString());
    }
  }

  @OnEveryJdk
  void aPeerFirstReachedBenignlyIsRefusedUnderJndiInBlockAndMarkedInDryRun(
      Path java, EmbeddedKafka kafka, @TempDir Path dir) throws Exception {
    for (ProtectionMode mode : List.of(ProtectionMode.BLOCK, ProtectionMode.DRY_RUN)) {
      String service =
          "cache-hole-" + mode.getNumber() + "-" + Math.abs(java.toString().hashCode());
      String events = "it.events." + service;
      List<String> props = ProtectModeIT.underPolicy(kafka, service, mode);
      try (ProtectModeIT.Listener peer = new ProtectModeIT.Listener();
          App app = new App(java, dir.resolve(mode.name()), props, peer.port());
          BatchConsumer topic = new BatchConsumer(kafka.bootstrapServers(), events)) {
        app.awaitUntil("protection in force", () -> app.output().contains("PROTECTION "));
        app.awaitUntil("the benign connect", () -> app.output().contains("BENIGN ok"));
        if (mode == ProtectionMode.BLOCK) {
          app.awaitUntil("the JNDI connect refused", () -> app.output().contains("JNDI refused"));
          int atRefusal = peer.accepted.get();
          app.awaitUntil(
              "more benign connects after the refusal", () -> peer.accepted.get() >= atRefusal + 3);
          String out = app.stop();
          assertTrue(out.contains("PROTECTION 2"), out);
          assertFalse(out.contains("JNDI reached"), "the lookup never reached the peer: " + out);
          assertFalse(out.contains("BENIGN failed"), "plain connects are never refused: " + out);
          assertTrue(out.contains("(rule jndi-"), out);
          app.awaitUntil(
              "the BLOCKED event", () -> marked(topic, Disposition.BLOCKED, peer) != null);
        } else {
          app.awaitUntil(
              "the JNDI lookup reaching the peer", () -> app.output().contains("JNDI reached"));
          app.awaitUntil(
              "the WOULD_BLOCK event", () -> marked(topic, Disposition.WOULD_BLOCK, peer) != null);
          String out = app.stop();
          assertTrue(out.contains("PROTECTION 1"), out);
          assertFalse(out.contains("refused"), "dry-run refuses nothing: " + out);
          Event e = marked(topic, Disposition.WOULD_BLOCK, peer);
          assertTrue(e.getProtectionRule().startsWith("jndi-"), e.toString());
        }
      }
    }
  }

  private static Event marked(BatchConsumer topic, Disposition d, ProtectModeIT.Listener peer)
      throws Exception {
    return topic.events().stream()
        .filter(
            e ->
                e.getDisposition() == d
                    && e.getKind() == EventKind.NET_CONNECT
                    && e.getNetwork().getPort() == peer.port())
        .findFirst()
        .orElse(null);
  }
}

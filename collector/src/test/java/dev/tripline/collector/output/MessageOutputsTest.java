package dev.tripline.collector.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.tripline.collector.json.Json;
import dev.tripline.model.Alert;
import dev.tripline.model.AlertReason;
import dev.tripline.model.CallSite;
import dev.tripline.model.Event;
import dev.tripline.model.Severity;
import jakarta.mail.internet.MimeMessage;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Slack, syslog and e-mail against real local receivers: what the message looks like on arrival.
 */
class MessageOutputsTest {
  @RegisterExtension
  static final GreenMailExtension MAIL = new GreenMailExtension(ServerSetupTest.SMTP);

  static final Alert HOSTILE =
      Alert.newBuilder()
          .setId("a1b2")
          .setTimeMs(1_795_000_000_000L)
          .setLastSeenMs(1_795_000_000_000L)
          .setService("checkout")
          .setSeverity(Severity.CRITICAL)
          .setReason(AlertReason.KNOWN_BAD)
          .setRule("shell-spawn")
          .setTitle("Shell spawned: /bin/sh -c <!channel> <http://evil|click> | x=y \\ ]\n")
          .setEvent(
              Event.newBuilder()
                  .setCallSite(
                      CallSite.newBuilder()
                          .setClassName("com.shop.Debug")
                          .setMethodName("run")
                          .setLineNumber(42)
                          .setJarName("shop.jar")))
          .setCount(1)
          .build();

  static OutputSpec spec(String name, Map<String, String> keys) {
    return OutputSpecs.spec(name, keys, "http://console.example:8470");
  }

  @Test
  void slackGetsAReadableMessageWithEveryAttackerStringEscaped() throws Exception {
    try (Receiver r = new Receiver(Receiver.Failure.NONE, 0)) {
      OutputSpec s = spec("chat", Map.of("type", "slack", "url", r.url("/services/T0/B0/x")));
      assertEquals(Delivery.OK, s.sender().send(Notice.of(HOSTILE)));
      Map<String, Object> body = Json.object(r.requests.get(0).body());
      @SuppressWarnings("unchecked")
      var block = (Map<String, Object>) ((List<Object>) body.get("blocks")).get(0);
      @SuppressWarnings("unchecked")
      String text = (String) ((Map<String, Object>) block.get("text")).get("text");
      assertTrue(text.startsWith("*CRITICAL · checkout · Shell spawned"), text);
      assertTrue(text.contains("Call site: `com.shop.Debug.run:42 (shop.jar)`"), text);
      assertTrue(text.contains("&lt;!channel&gt; &lt;http://evil|click&gt;"), text);
      assertFalse(text.contains("<!channel>") || text.contains("<http://evil"), text);
      assertTrue(
          text.contains("<http://console.example:8470/#alerts|Open in the Tripline console>"),
          text);
    }
  }

  @Test
  void syslogSendsRfc5424FramesWithCefOverTcpAndReconnectsAfterTheReceiverCloses()
      throws Exception {
    try (ServerSocket server = new ServerSocket(0)) {
      OutputSpec s =
          spec("siem", Map.of("type", "syslog", "url", "tcp://127.0.0.1:" + server.getLocalPort()));
      CompletableFuture<List<String>> first = CompletableFuture.supplyAsync(() -> read(server, 1));
      assertEquals(Delivery.OK, s.sender().send(Notice.of(HOSTILE)));
      String m = first.get(30, TimeUnit.SECONDS).get(0);
      assertTrue(m.startsWith("<34>1 2026-11-18T"), m); // facility 4 × 8 + crit 2
      assertTrue(
          m.contains(
              " tripline - KNOWN_BAD [tripline@32473 id=\"a1b2\" service=\"checkout\" event=\"trigger\"] CEF:0|Tripline|Tripline Collector|1|KNOWN_BAD|"),
          m);
      assertTrue(m.contains("\\| x=y \\\\ ]"), "CEF header escapes | and \\: " + m);
      assertTrue(m.contains("cs2=com.shop.Debug.run:42 (shop.jar)"), m);
      assertFalse(m.contains("\n"), "one line");
      // the receiver closed its side after one message: the next send opens a new connection
      CompletableFuture<List<String>> second = CompletableFuture.supplyAsync(() -> read(server, 1));
      assertEquals(Delivery.OK, s.sender().send(Notice.of(HOSTILE)));
      assertTrue(second.get(30, TimeUnit.SECONDS).get(0).contains("a1b2"));
      s.sender().close();
    }
  }

  /** Accepts one connection, reads {@code n} octet-counted frames, closes. */
  static List<String> read(ServerSocket server, int n) {
    try (Socket c = server.accept()) {
      DataInputStream in = new DataInputStream(c.getInputStream());
      java.util.ArrayList<String> out = new java.util.ArrayList<>();
      for (int i = 0; i < n; i++) {
        StringBuilder len = new StringBuilder();
        for (int b = in.read(); b != ' '; b = in.read()) {
          if (b < 0) throw new IOException("closed");
          len.append((char) b);
        }
        byte[] msg = new byte[Integer.parseInt(len.toString())];
        in.readFully(msg);
        out.add(new String(msg, StandardCharsets.UTF_8));
      }
      return out;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void emailArrivesOverSmtpAndStartTlsIsRequiredByDefault() throws Exception {
    int port = MAIL.getSmtp().getPort();
    OutputSpec plain =
        spec(
            "mail",
            Map.of(
                "type",
                "email",
                "url",
                "smtp://127.0.0.1:" + port,
                "from",
                "tripline@example.org",
                "to",
                "soc@example.org, oncall@example.org",
                "starttls",
                "false"));
    assertEquals(Delivery.OK, plain.sender().send(Notice.of(HOSTILE)));
    MimeMessage[] got = MAIL.getReceivedMessages();
    assertEquals(2, got.length, "one per recipient");
    assertTrue(got[0].getSubject().startsWith("[Tripline] CRITICAL · checkout · Shell spawned"));
    assertFalse(got[0].getSubject().contains("\n"), "the title's newline cannot add a header");
    String body = String.valueOf(got[0].getContent());
    assertTrue(body.contains("Call site:  com.shop.Debug.run:42 (shop.jar)"), body);
    assertTrue(body.contains("Console: http://console.example:8470/#alerts"), body);
    assertEquals("a1b2", got[0].getHeader("X-Tripline-Alert-Id")[0]);

    // GreenMail offers no STARTTLS: with the default (required) nothing is sent in the clear.
    OutputSpec strict =
        spec(
            "strict",
            Map.of(
                "type",
                "email",
                "url",
                "smtp://127.0.0.1:" + port,
                "from",
                "tripline@example.org",
                "to",
                "soc@example.org",
                "timeout",
                "5s"));
    Delivery d = strict.sender().send(Notice.of(HOSTILE));
    assertTrue(d instanceof Delivery.Retry r && r.reason().contains("STARTTLS"), String.valueOf(d));
    assertEquals(2, MAIL.getReceivedMessages().length, "nothing more arrived");
  }
}

package dev.tripline.collector.output;

import dev.tripline.collector.alert.OcsfJson;
import dev.tripline.collector.http.ApiJson;
import dev.tripline.collector.json.Json;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A generic webhook: the alert as JSON (the OCSF Detection Finding of {@code tripline.alerts.json},
 * or the REST API's form), signed when a secret is set: {@code X-Tripline-Signature: sha256=<hex
 * HMAC-SHA256 of "<timestamp>.<body>">} with {@code X-Tripline-Timestamp} (epoch seconds), so a
 * receiver can check both who sent it and that it is not a replay (docs/outputs.md).
 */
final class WebhookSender implements Sender {
  static final String SIGNATURE = "X-Tripline-Signature";
  static final String TIMESTAMP = "X-Tripline-Timestamp";
  static final String EVENT = "X-Tripline-Event";
  static final String ALERT_ID = "X-Tripline-Alert-Id";

  private final HttpPost http;
  private final byte[] key;
  private final boolean ocsf;

  WebhookSender(HttpPost http, String secret, boolean ocsf) {
    this.http = http;
    this.key = secret.getBytes(StandardCharsets.UTF_8);
    this.ocsf = ocsf;
  }

  @Override
  public Delivery send(Notice n) {
    String body = ocsf ? OcsfJson.of(n.alert()) : Json.write(ApiJson.alert(n.alert()));
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put(EVENT, n.kind().name().toLowerCase(Locale.ROOT));
    headers.put(ALERT_ID, HttpPost.clip(n.alert().getId(), 128));
    if (key.length > 0) {
      String ts = Long.toString(System.currentTimeMillis() / 1000);
      headers.put(TIMESTAMP, ts);
      headers.put(SIGNATURE, "sha256=" + sign(key, ts, bytes));
    }
    return http.post("application/json", bytes, headers);
  }

  /** Hex HMAC-SHA256 of {@code timestamp + "." + body}. */
  static String sign(byte[] key, String timestamp, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is in every JDK", e);
    }
  }
}

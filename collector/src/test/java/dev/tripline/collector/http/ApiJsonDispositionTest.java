package dev.tripline.collector.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.tripline.model.Alert;
import dev.tripline.model.Disposition;
import org.junit.jupiter.api.Test;

/** The API shows what protection did about an alert's call, and nothing when it did nothing. */
class ApiJsonDispositionTest {
  @Test
  void shownWhenProtectionActed() {
    assertEquals(
        "BLOCKED",
        ApiJson.alert(Alert.newBuilder().setDisposition(Disposition.BLOCKED).build())
            .get("disposition"));
    assertEquals(
        "WOULD_BLOCK",
        ApiJson.alert(Alert.newBuilder().setDisposition(Disposition.WOULD_BLOCK).build())
            .get("disposition"));
    assertFalse(ApiJson.alert(Alert.getDefaultInstance()).containsKey("disposition"));
  }
}

package dev.tripline.collector.kind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.model.EventKind;
import dev.tripline.model.judge.TargetShape;
import java.util.List;
import org.junit.jupiter.api.Test;

class KindTableTest {

  @Test
  void everyKindOfTheSchemaHasACompleteRow() {
    for (EventKind kind : EventKind.values()) {
      if (kind == EventKind.EVENT_KIND_UNSPECIFIED || kind == EventKind.UNRECOGNIZED) {
        continue;
      }
      KindRow row = KindTable.of(kind);
      assertNotEquals(KindTable.UNKNOWN, row, kind + " has no row in KindTable");
      assertEquals(kind, row.kind());
      assertNotEquals(KindRow.Family.NONE, row.family(), kind + ": family");
      assertNotEquals(TargetShape.NONE, row.target(), kind + ": target shape");
      assertNotNull(row.profileKind(), kind + ": profile kind");
      assertSame(
          row.profileKind(),
          KindTable.of(row.profileKind()).profileKind(),
          kind + ": profile kind files under itself");
      assertTrue(row.reason().name().startsWith("NEW_"), kind + ": reason " + row.reason());
      assertNotNull(row.severity(), kind + ": severity");
      assertTrue(
          row.mitre().getId().startsWith("T") && !row.mitre().getName().isEmpty(),
          kind + ": MITRE technique");
      for (String text : List.of(row.title(), row.normally(), row.done())) {
        assertFalse(text.isBlank(), kind + ": a text is blank");
      }
      assertEquals(row, KindTable.named(kind.name()).orElseThrow());
    }
  }

  /**
   * A rate anomaly's context shows the profile of the kind that fed it: each feature's kind counts
   * towards it (distinct peers are counted from the connects).
   */
  @Test
  void everyRateFeatureIsCountedByItsOwnKind() {
    for (RateFeature f : RateFeature.values()) {
      assertEquals(
          f == RateFeature.DISTINCT_PEERS ? RateFeature.CONNECTS : f,
          KindTable.of(f.kind()).rateFeature(),
          f + " is shown with the profile of " + f.kind());
      assertTrue(f.mitre().getId().startsWith("T"), f + ": MITRE technique");
    }
  }

  @Test
  void kindsWithoutARowGetTheFallbackAndNoName() {
    assertSame(KindTable.UNKNOWN, KindTable.of(EventKind.EVENT_KIND_UNSPECIFIED));
    assertSame(KindTable.UNKNOWN, KindTable.of(EventKind.UNRECOGNIZED));
    assertTrue(KindTable.named("NOT_A_KIND").isEmpty());
    assertEquals("UNRECOGNIZED", KindTable.profileFamily(EventKind.UNRECOGNIZED));
  }

  @Test
  void datagramsAndRenamesAreFiledWithConnectsAndWrites() {
    assertEquals("NET_CONNECT", KindTable.profileFamily(EventKind.DATAGRAM));
    assertEquals("FILE_WRITE", KindTable.profileFamily(EventKind.FILE_RENAME));
    assertEquals("FILE_DELETE", KindTable.profileFamily(EventKind.FILE_DELETE));
  }
}

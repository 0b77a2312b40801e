package dev.tripline.collector.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.collector.kind.RateFeature;
import dev.tripline.model.ProfileState;
import dev.tripline.model.RateWindow;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RateModelTest {
  private final RateModel model = new RateModel(0.6);

  static List<RateWindow> learned(int windows) {
    List<RateWindow> history = new ArrayList<>();
    for (int i = 0; i < windows; i++) {
      RateWindow.Builder w = RateWindow.newBuilder().setState(ProfileState.LEARNING).setEndMs(i);
      for (double f : new double[] {3 + i % 2, 1, 3, 0, 3 - i % 2, 0}) w.addFeatures(f);
      history.add(w.build());
    }
    return history;
  }

  @Test
  void aScanIsAnomalous() {
    RateModel.Verdict v = model.judge(learned(12), new double[] {200, 200, 3, 0, 3, 0});
    assertNotNull(v);
    assertTrue(
        v.feature() == RateFeature.CONNECTS || v.feature() == RateFeature.DISTINCT_PEERS,
        "connects or distinct peers: " + v.feature());
    assertEquals(200, v.value());
    assertEquals(v.feature() == RateFeature.CONNECTS ? 4 : 1, v.learnedMax());
  }

  @Test
  void ordinaryWindowsAreNot() {
    assertNull(model.judge(learned(12), new double[] {4, 1, 3, 0, 2, 0}));
    assertNull(
        model.judge(learned(12), new double[] {0, 0, 0, 0, 0, 0}),
        "a quiet window is not an anomaly");
  }

  @Test
  void tooLittleHistoryJudgesNothing() {
    assertNull(model.judge(learned(3), new double[] {200, 200, 3, 0, 3, 0}));
  }
}

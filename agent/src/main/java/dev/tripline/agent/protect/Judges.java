package dev.tripline.agent.protect;

import dev.tripline.model.ProtectionPolicy;
import dev.tripline.model.protect.ProtectionJudge;

/** The judge of a policy: the one judgement shared with the collector (models). */
public final class Judges {
  private Judges() {}

  public static ProtectionJudge of(ProtectionPolicy policy) {
    return ProtectionJudge.ALLOW_ALL; // until models' ProtectionJudges lands (h-judge)
  }
}

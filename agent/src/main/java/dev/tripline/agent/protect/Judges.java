package dev.tripline.agent.protect;

import dev.tripline.model.ProtectionPolicy;
import dev.tripline.model.protect.ProtectionJudge;
import dev.tripline.model.protect.ProtectionJudges;

/**
 * The judge of a policy: the one judgement shared with the collector (models' {@link
 * ProtectionJudges}), built on the policy thread when a policy is applied, never on a hooked call.
 */
public final class Judges {
  private Judges() {}

  public static ProtectionJudge of(ProtectionPolicy policy) {
    return ProtectionJudges.of(policy);
  }
}

package dev.tripline.agent.protect;

import dev.tripline.model.protect.ProtectionJudge;
import org.jspecify.annotations.Nullable;

/** The judge's answer for one target, under the policy of one generation. */
final class Verdict {
  final int generation;
  final ProtectionJudge.@Nullable Refusal refusal;

  Verdict(int generation, ProtectionJudge.@Nullable Refusal refusal) {
    this.generation = generation;
    this.refusal = refusal;
  }
}

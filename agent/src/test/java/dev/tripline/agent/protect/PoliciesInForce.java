package dev.tripline.agent.protect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tripline.model.ProtectionMode;
import dev.tripline.model.ProtectionPolicy;
import dev.tripline.model.Schema;
import dev.tripline.model.protect.ProtectionJudge;
import dev.tripline.model.protect.ProtectionJudges;
import java.util.function.Function;

/** Protect mode's state with a fresh policy of service "shop" in force, for the decision tests. */
public final class PoliciesInForce {
  private PoliciesInForce() {}

  /**
   * {@code mode} in force, judged by the shared rules (the built-in known-bad and profile rules).
   */
  public static ProtectionState inForce(ProtectionMode mode) {
    return judgedBy(mode, ProtectionJudges::of);
  }

  /** {@code mode} in force, judged by {@code judge} whatever the policy holds. */
  public static ProtectionState inForce(ProtectionMode mode, ProtectionJudge judge) {
    return judgedBy(mode, p -> judge);
  }

  private static ProtectionState judgedBy(
      ProtectionMode mode, Function<ProtectionPolicy, ProtectionJudge> judges) {
    ProtectionState s = new ProtectionState("shop", false, 0, judges, on -> {});
    s.offer(
        ProtectionPolicy.newBuilder()
            .setSchemaVersion(Schema.VERSION)
            .setService("shop")
            .setMode(mode)
            .setVersion(1)
            .setIssuedAtMs(System.currentTimeMillis())
            .build()
            .toByteArray());
    s.refresh(System.currentTimeMillis());
    assertEquals(mode, s.current().mode(), "the policy is in force");
    return s;
  }
}

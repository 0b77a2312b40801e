package dev.tripline.model.protect;

import static dev.tripline.model.protect.PolicyReaderTest.policy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.model.EventKind;
import dev.tripline.model.ProfileState;
import dev.tripline.model.ProtectionMode;
import dev.tripline.model.ProtectionPolicy;
import dev.tripline.model.protect.PolicyReader.Refusal;
import org.junit.jupiter.api.Test;

/**
 * A policy with a real allow list fits; the worst sender does not: planted versions that would lock
 * every later policy out (or wrap the next one), allow lists past the caps, issue times in the
 * future.
 */
class PolicyBoundsTest {
  private static final long T0 = 1_800_000_000_000L;

  private static ProtectionPolicy.Builder at(long version) {
    return policy("payments", ProtectionMode.BLOCK, version).setIssuedAtMs(T0);
  }

  @Test
  void aRealAllowListFitsTheRecord() {
    ProtectionPolicy.Builder b = at(T0).setProfileState(ProfileState.MONITORING);
    for (int i = 0; i < 10_000; i++) {
      b.addAllowed("FILE_READ|/srv/app/data/customer-" + i + "/settings/preferences.json");
    }
    byte[] record = b.build().toByteArray();
    assertTrue(
        record.length > 600_000 && record.length < PolicyReader.MAX_RECORD_BYTES,
        "" + record.length);
    PolicyReader r = new PolicyReader("payments");
    assertTrue(r.offer(record).applied());
    assertEquals(10_000, r.held().orElseThrow().getAllowedCount());
  }

  @Test
  void allowListsPastTheCapsAreRefused() {
    PolicyReader r = new PolicyReader("payments");
    ProtectionPolicy.Builder many = at(T0);
    for (int i = 0; i <= PolicyReader.MAX_ALLOWED_KEYS; i++) many.addAllowedGeneralized("D|" + i);
    assertEquals(Refusal.OVERSIZED, r.offer(many.build().toByteArray()).refusal());
    ProtectionPolicy longKey =
        at(T0).addAllowed("FILE_READ|/" + "a".repeat(PolicyReader.MAX_KEY_CHARS)).build();
    assertEquals(Refusal.OVERSIZED, r.offer(longKey.toByteArray()).refusal());
    ProtectionPolicy.Builder truncated = at(T0);
    for (int i = 0; i < 100; i++) truncated.addTruncatedKinds(EventKind.FILE_READ);
    assertEquals(Refusal.OVERSIZED, r.offer(truncated.build().toByteArray()).refusal());
    byte[] bigger = new byte[PolicyReader.MAX_RECORD_BYTES + 1];
    assertEquals(Refusal.OVERSIZED, r.offer(bigger).refusal());
    assertEquals(4, r.refused(Refusal.OVERSIZED));
    assertTrue(r.held().isEmpty());
  }

  @Test
  void aPlantedVersionThatWouldLockOutEveryLaterPolicyIsInvalid() {
    PolicyReader r = new PolicyReader("payments");
    assertTrue(r.offer(at(T0).build().toByteArray()).applied());
    for (long planted :
        new long[] {
          Long.MAX_VALUE,
          Long.MAX_VALUE - 1,
          PolicyReader.MAX_VERSION + 1,
          T0 + PolicyReader.MAX_VERSION_LEAD_MS + 1,
        }) {
      assertEquals(
          Refusal.INVALID, r.offer(at(planted).build().toByteArray()).refusal(), "" + planted);
    }
    // the honest next version still applies: nothing was locked out
    assertTrue(r.offer(at(T0 + 1).build().toByteArray()).applied());
    assertEquals(T0 + 1, r.held().orElseThrow().getVersion());
    // versions a little ahead of the issue time (several changes in one millisecond) are fine
    assertTrue(r.offer(at(T0 + 5).build().toByteArray()).applied());
  }

  @Test
  void aPolicyIssuedInTheFutureFailsOpenUnderAnAgeLimit() {
    PolicyReader r = new PolicyReader("payments");
    assertTrue(r.offer(at(T0).setMaxAgeMs(600_000).build().toByteArray()).applied());
    long now = T0 - PolicyReader.MAX_CLOCK_SKEW_MS - 1;
    PolicyReader.Effective e = r.effective(now, 0);
    assertEquals(ProtectionMode.PROTECTION_OFF, e.mode());
    assertTrue(e.reason().contains("in the future"), e.reason());
    // within the skew, and without any age limit, it is enforced
    assertEquals(ProtectionMode.BLOCK, r.effective(T0 - 1000, 0).mode());
    PolicyReader noLimit = new PolicyReader("payments");
    assertTrue(noLimit.offer(at(T0).build().toByteArray()).applied());
    assertEquals(ProtectionMode.BLOCK, noLimit.effective(now, 0).mode());
  }
}

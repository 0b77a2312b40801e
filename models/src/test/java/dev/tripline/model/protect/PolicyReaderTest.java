package dev.tripline.model.protect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.CodedOutputStream;
import dev.tripline.model.EventKind;
import dev.tripline.model.ProtectionMode;
import dev.tripline.model.ProtectionPolicy;
import dev.tripline.model.Schema;
import dev.tripline.model.protect.PolicyReader.Refusal;
import java.io.ByteArrayOutputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The worst sender on a policy topic: huge records, garbage, another service's policy, replays of
 * old versions, modes and kinds from a future build. None of them changes what is enforced; each is
 * counted under its reason.
 */
class PolicyReaderTest {
  private static final long T0 = 1_800_000_000_000L;

  static ProtectionPolicy.Builder policy(String service, ProtectionMode mode, long version) {
    return ProtectionPolicy.newBuilder()
        .setSchemaVersion(Schema.VERSION)
        .setService(service)
        .setMode(mode)
        .addKinds(EventKind.PROCESS_SPAWN)
        .addKinds(EventKind.NET_CONNECT)
        .setVersion(version)
        .setIssuedAtMs(T0)
        .setIssuedBy("alice@soc");
  }

  static PolicyReader blocking() {
    PolicyReader r = new PolicyReader("payments");
    assertTrue(
        r.offer(policy("payments", ProtectionMode.BLOCK, 5).build().toByteArray()).applied());
    return r;
  }

  @Test
  void aValidPolicyForTheServiceIsAppliedAndEnforced() {
    PolicyReader r = blocking();
    PolicyReader.Effective e = r.effective(T0 + 1000, 0);
    assertEquals(ProtectionMode.BLOCK, e.mode());
    assertFalse(e.failedOpen());
    assertEquals(
        java.util.List.of(EventKind.PROCESS_SPAWN, EventKind.NET_CONNECT),
        e.policy().getKindsList());
    assertEquals(0, r.refusedTotal());
  }

  @Test
  void noPolicyFailsOpenWithAReason() {
    PolicyReader.Effective e = new PolicyReader("payments").effective(T0, 60_000);
    assertEquals(ProtectionMode.PROTECTION_OFF, e.mode());
    assertTrue(e.failedOpen());
    assertTrue(e.reason().contains("no policy"), e.reason());
  }

  @Test
  void aStalePolicyFailsOpenAndTheReadersLimitWinsOverTheHint() {
    PolicyReader r = new PolicyReader("payments");
    r.offer(policy("payments", ProtectionMode.BLOCK, 1).setMaxAgeMs(10_000).build().toByteArray());
    assertEquals(ProtectionMode.BLOCK, r.effective(T0 + 9_000, 0).mode());
    PolicyReader.Effective stale = r.effective(T0 + 11_000, 0); // the hint
    assertEquals(ProtectionMode.PROTECTION_OFF, stale.mode());
    assertTrue(stale.reason().contains("11000 ms old"), stale.reason());
    // The reader's own limit wins over the record's hint, in both directions.
    assertEquals(ProtectionMode.PROTECTION_OFF, r.effective(T0 + 6_000, 5_000).mode());
    assertEquals(ProtectionMode.BLOCK, r.effective(T0 + 11_000, 60_000).mode());
  }

  @Test
  void anotherServicesPolicyIsRefused() {
    PolicyReader r = blocking();
    PolicyReader.Outcome o =
        r.offer(policy("orders", ProtectionMode.PROTECTION_OFF, 99).build().toByteArray());
    assertFalse(o.applied());
    assertEquals(Refusal.WRONG_SERVICE, o.refusal());
    // A name that maps to the same topic ("pay ments" -> "pay_ments") is still another service.
    PolicyReader mapped = new PolicyReader("pay_ments");
    assertEquals(
        Refusal.WRONG_SERVICE,
        mapped.offer(policy("pay ments", ProtectionMode.BLOCK, 1).build().toByteArray()).refusal());
    assertEquals(ProtectionMode.BLOCK, r.effective(T0, 0).mode());
    assertEquals(1, r.refused(Refusal.WRONG_SERVICE));
  }

  @Test
  void aRollbackToAnOlderVersionIsRefusedAndAConflictingSameVersionToo() {
    PolicyReader r = blocking();
    PolicyReader.Outcome old =
        r.offer(policy("payments", ProtectionMode.PROTECTION_OFF, 4).build().toByteArray());
    assertEquals(Refusal.ROLLBACK, old.refusal());
    PolicyReader.Outcome conflict =
        r.offer(policy("payments", ProtectionMode.PROTECTION_OFF, 5).build().toByteArray());
    assertEquals(Refusal.CONFLICT, conflict.refusal());
    // The very record held, read again (a restart re-reads the compacted topic): no refusal.
    assertTrue(
        r.offer(policy("payments", ProtectionMode.BLOCK, 5).build().toByteArray()).applied());
    assertEquals(ProtectionMode.BLOCK, r.effective(T0, 0).mode());
    // A newer version is applied.
    assertTrue(
        r.offer(policy("payments", ProtectionMode.DRY_RUN, 6).build().toByteArray()).applied());
    assertEquals(ProtectionMode.DRY_RUN, r.effective(T0, 0).mode());
    assertEquals(1, r.refused(Refusal.ROLLBACK));
    assertEquals(1, r.refused(Refusal.CONFLICT));
  }

  @Test
  void aHugeRecordIsRefusedUnparsed() {
    PolicyReader r = blocking();
    // A valid policy for the right service, a newer version, padded past the cap with a long
    // issued_by: size alone refuses it.
    byte[] huge =
        policy("payments", ProtectionMode.PROTECTION_OFF, 6)
            .setIssuedBy("x".repeat(10 * 1024 * 1024))
            .build()
            .toByteArray();
    assertEquals(Refusal.OVERSIZED, r.offer(huge).refusal());
    // Within the byte cap, but more kinds than exist.
    ProtectionPolicy.Builder many = policy("payments", ProtectionMode.BLOCK, 7);
    for (int i = 0; i < 200; i++) many.addKinds(EventKind.FILE_READ);
    assertEquals(Refusal.OVERSIZED, r.offer(many.build().toByteArray()).refusal());
    assertEquals(ProtectionMode.BLOCK, r.effective(T0, 0).mode());
    assertEquals(5, r.held().orElseThrow().getVersion());
  }

  @Test
  void garbageBytesAreRefusedWithoutThrowing() {
    PolicyReader r = blocking();
    Random random = new Random(23);
    int refused = 0;
    for (int i = 0; i < 2000; i++) {
      byte[] junk = new byte[1 + random.nextInt(300)];
      random.nextBytes(junk);
      PolicyReader.Outcome o = r.offer(junk);
      if (!o.applied()) refused++;
    }
    assertEquals(2000, refused, "no random bytes become a policy");
    assertEquals(ProtectionMode.BLOCK, r.effective(T0, 0).mode());
    assertEquals(5, r.held().orElseThrow().getVersion());
    assertEquals(Refusal.EMPTY, r.offer(new byte[0]).refusal());
    assertEquals(Refusal.EMPTY, r.offer(null).refusal());
    assertEquals(2002, r.refusedTotal());
  }

  @Test
  void aModeOrKindFromAFutureBuildIsRefused() throws Exception {
    PolicyReader r = blocking();
    byte[] futureMode = policy("payments", ProtectionMode.BLOCK, 6).build().toByteArray();
    futureMode = withField(futureMode, 3, 77); // mode 77
    assertEquals(Refusal.UNKNOWN_MODE, r.offer(futureMode).refusal());
    byte[] futureKind =
        withField(policy("payments", ProtectionMode.BLOCK, 6).build().toByteArray(), 4, 99);
    assertEquals(Refusal.UNKNOWN_KIND, r.offer(futureKind).refusal());
    ProtectionPolicy unspecifiedKind =
        policy("payments", ProtectionMode.BLOCK, 6)
            .addKinds(EventKind.EVENT_KIND_UNSPECIFIED)
            .build();
    assertEquals(Refusal.UNKNOWN_KIND, r.offer(unspecifiedKind.toByteArray()).refusal());
    assertEquals(
        Refusal.SCHEMA,
        r.offer(
                policy("payments", ProtectionMode.BLOCK, 6)
                    .setSchemaVersion(2)
                    .build()
                    .toByteArray())
            .refusal());
    assertEquals(
        Refusal.INVALID,
        r.offer(policy("payments", ProtectionMode.BLOCK, 0).build().toByteArray()).refusal());
    assertEquals(ProtectionMode.BLOCK, r.effective(T0, 0).mode());
  }

  /** The record with one more varint field appended (a later field wins in protobuf). */
  private static byte[] withField(byte[] record, int field, int value) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(record);
    CodedOutputStream c = CodedOutputStream.newInstance(out);
    c.writeInt32(field, value);
    c.flush();
    return out.toByteArray();
  }
}

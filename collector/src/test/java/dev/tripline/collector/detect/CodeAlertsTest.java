package dev.tripline.collector.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.collector.alert.OcsfJson;
import dev.tripline.collector.profile.Profiles;
import dev.tripline.model.AgentIdentity;
import dev.tripline.model.Alert;
import dev.tripline.model.AlertReason;
import dev.tripline.model.CallSite;
import dev.tripline.model.CodeTarget;
import dev.tripline.model.Event;
import dev.tripline.model.EventBatch;
import dev.tripline.model.EventKind;
import dev.tripline.model.ProfileState;
import dev.tripline.model.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The code kinds end to end through detection: a native library from a temp or writable directory
 * is known-bad even while learning; a library extractor's own temp loads are learned, its random
 * file names folded; a new jar or a class with no origin on disk alerts NEW_CODE once monitoring.
 */
class CodeAlertsTest {
  private static final long T0 = 1_000_000;

  private final DetectionTest.MapState state = new DetectionTest.MapState();
  private final Detection detection =
      new Detection(DetectionTest.settings(), 3, DetectionTest.NO_METER, T0);

  private static Event load(String path, boolean writable, String className, String jar) {
    return Event.newBuilder()
        .setKind(EventKind.NATIVE_LOAD)
        .setCount(1)
        .setSuccess(true)
        .setCode(
            CodeTarget.newBuilder()
                .setPath(path)
                .setLoader("jdk.internal.loader.ClassLoaders$AppClassLoader app")
                .setWritableDir(writable))
        .setCallSite(
            CallSite.newBuilder().setClassName(className).setMethodName("m").setJarName(jar))
        .build();
  }

  private static Event origin(CodeTarget.Builder code) {
    return Event.newBuilder()
        .setKind(EventKind.CODE_ORIGIN)
        .setCount(1)
        .setSuccess(true)
        .setCode(code)
        .setCallSite(
            CallSite.newBuilder()
                .setClassName("com.acme.Plugins")
                .setMethodName("load")
                .setJarName("shop-1.0.jar"))
        .build();
  }

  private void batch(long now, Event... events) {
    EventBatch b =
        EventBatch.newBuilder()
            .setAgent(AgentIdentity.newBuilder().setService("shop").setInstanceId("i-1"))
            .addAllEvents(List.of(events))
            .build();
    Profiles p = state.profile("shop", now);
    detection.batch(p, b, now, state);
    state.save(p, now);
  }

  @Test
  void aLibraryFromTmpIsKnownBadEvenWhileLearning() {
    batch(T0, load("/tmp/x/libpayload.so", true, "com.acme.Upload", ""));
    assertEquals(ProfileState.LEARNING, state.profiles.get("shop").getState());
    assertEquals(List.of(AlertReason.KNOWN_BAD), state.reasons());
    Alert a = state.published.get(0);
    assertEquals("native-load-temp", a.getRule());
    assertEquals(Severity.HIGH, a.getSeverity());
    assertEquals("T1574", a.getMitre().getId());
    assertTrue(a.getTitle().contains("/tmp/x/libpayload.so"), a.getTitle());
    String ocsf = OcsfJson.of(a);
    assertTrue(ocsf.contains("\"module\""), ocsf);
    assertTrue(ocsf.contains("/tmp/x/libpayload.so"), ocsf);
  }

  @Test
  void aLibraryFromADirectoryTheJvmCanWriteIsKnownBadOneItCannotIsLearned() {
    batch(T0, load("/srv/app/lib/libimage.so", false, "com.acme.Images", "shop-1.0.jar"));
    assertEquals(List.of(), state.reasons(), "a read-only directory: learned");
    batch(T0 + 100, load("/srv/upload/libimage.so", true, "com.acme.Images", "shop-1.0.jar"));
    assertEquals(List.of(AlertReason.KNOWN_BAD), state.reasons());
    assertEquals("native-load-writable", state.published.get(0).getRule());
  }

  @Test
  void nettysOwnTempLibraryIsLearnedAndItsRandomNameFolds() {
    String jar = "netty-common-4.1.128.Final.jar";
    batch(
        T0,
        load(
            "/tmp/libnetty_transport_native_epoll_x86_644187532907563398.so",
            true,
            "io.netty.util.internal.NativeLibraryUtil",
            jar));
    assertEquals(List.of(), state.reasons(), "excused by the jar that unpacked it");
    monitor();
    batch(
        T0 + 13_000,
        load(
            "/tmp/libnetty_transport_native_epoll_x86_649912837465019283.so",
            true,
            "io.netty.util.internal.NativeLibraryUtil",
            jar));
    assertEquals(List.of(), state.reasons(), "the next start's random name is the same library");
    // a library the same jar never loaded is new once monitoring
    batch(
        T0 + 14_000,
        load("/tmp/libother.so", true, "io.netty.util.internal.NativeLibraryUtil", jar));
    assertEquals(List.of(AlertReason.NEW_CODE), state.reasons());
    assertTrue(state.published.get(0).getTitle().startsWith("New native library loaded: "));
  }

  @Test
  void newCodeOriginsAlertOnceMonitoring() {
    batch(T0, origin(CodeTarget.newBuilder().setOrigin("jar").setPath("/opt/kc/providers/a.jar")));
    monitor();
    batch(
        T0 + 13_000,
        origin(CodeTarget.newBuilder().setOrigin("jar").setPath("/opt/kc/providers/a.jar")));
    assertEquals(List.of(), state.reasons(), "learned");
    batch(
        T0 + 13_500,
        origin(CodeTarget.newBuilder().setOrigin("jar").setPath("/opt/kc/providers/evil.jar")),
        origin(
            CodeTarget.newBuilder()
                .setOrigin("hidden")
                .setClassName("org.apache.catalina.Filter/0x0000000801234567")
                .setDefinedBy("com.acme.Upload (shop-1.0.jar)")));
    assertEquals(List.of(AlertReason.NEW_CODE, AlertReason.NEW_CODE), state.reasons());
    assertEquals("New code origin: /opt/kc/providers/evil.jar", state.published.get(0).getTitle());
    Alert hidden = state.published.get(1);
    assertTrue(hidden.getTitle().contains("no origin on disk"), hidden.getTitle());
    assertTrue(hidden.getTitle().contains("com.acme.Upload (shop-1.0.jar)"), hidden.getTitle());
    assertEquals("T1620", hidden.getMitre().getId());
  }

  /** Ends learning: the period and a quiet time pass. */
  private void monitor() {
    detection.tick(T0 + 11_000, state);
    detection.tick(T0 + 12_500, state);
    assertEquals(ProfileState.MONITORING, state.profiles.get("shop").getState());
  }
}

package dev.tripline.collector.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.collector.alert.Alerts;
import dev.tripline.model.AlertReason;
import dev.tripline.model.CallSite;
import dev.tripline.model.CodeContext;
import dev.tripline.model.DnsTarget;
import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import dev.tripline.model.ProcessTarget;
import dev.tripline.model.ProfileState;
import dev.tripline.model.judge.KnownBadRules;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The sidesteps of issue 22 the agent now reports (ProcessTarget.same_as, real_path, env;
 * DnsTarget.reverse; JNDI DNS queries), judged: a shell under another name is a shell, LD_PRELOAD
 * from a temp dir is known-bad and any loader variable makes a known command a new one, a reverse
 * lookup is a new lookup, a JNDI DNS query is a JNDI reach-out.
 */
class SidestepsTest {
  private static final KnownBadRules BUILT_IN = KnownBadRules.load("");

  private static String rule(Event e) {
    return BUILT_IN.match(e).map(KnownBadRules.Rule::id).orElse("none");
  }

  private static ProcessTarget.Builder process(String... argv) {
    return ProcessTarget.newBuilder().setExecutable(argv[0]).addAllArgv(List.of(argv));
  }

  private static Event spawn(ProcessTarget.Builder p) {
    return Event.newBuilder()
        .setKind(EventKind.PROCESS_SPAWN)
        .setCount(1)
        .setProcess(p)
        .setCallSite(CallSite.newBuilder().setClassName("com.acme.Shop").setMethodName("m"))
        .build();
  }

  private static Event dns(DnsTarget.Builder d, CodeContext... contexts) {
    return Event.newBuilder()
        .setKind(EventKind.DNS_LOOKUP)
        .setCount(1)
        .setDns(d)
        .addAllContexts(List.of(contexts))
        .setCallSite(CallSite.newBuilder().setClassName("com.acme.Shop").setMethodName("m"))
        .build();
  }

  private static Event reverse(String ip, String... names) {
    return dns(
        DnsTarget.newBuilder().setQuery(ip).setReverse(true).addAllResolvedIps(List.of(names)));
  }

  @Test
  void aShellUnderAnotherNameIsAShell() {
    // a copy of /bin/sh called kworker: the agent found the same content
    assertEquals("none", rule(spawn(process("/tmp/x/kworker", "-c", "id"))), "the name alone");
    assertEquals("shell-spawn", rule(spawn(process("/tmp/x/kworker", "-c", "id").setSameAs("sh"))));
    // a link: its real file
    assertEquals(
        "shell-spawn",
        rule(spawn(process("/tmp/x/kthreadd", "-c", "id").setRealPath("/usr/bin/dash"))));
    // /proc/self/exe is the JVM's launcher: a new process, not a shell
    assertEquals(
        "none",
        rule(
            spawn(
                process("/proc/self/exe", "-version")
                    .setRealPath("/usr/lib/jvm/java-17-openjdk-amd64/bin/java"))));
    // on Alpine ls is a link to busybox, which runs the applet its argv[0] names: not a shell
    assertEquals("none", rule(spawn(process("/bin/ls", "-l").setRealPath("/bin/busybox"))));
    assertEquals(
        "shell-spawn", rule(spawn(process("/bin/sh", "-c", "id").setRealPath("/bin/busybox"))));
    // the dynamic loader under another name runs its argument
    assertEquals(
        "shell-spawn",
        rule(
            spawn(
                process("/tmp/x/helper", "/bin/sh", "-c", "id")
                    .setSameAs("ld-linux-x86-64.so.2"))));
    assertEquals(
        "none",
        rule(spawn(process("/tmp/x/helper", "/usr/bin/id").setSameAs("ld-linux-x86-64.so.2"))));
    // an interpreter under another name given its program inline
    assertEquals(
        "inline-python",
        rule(spawn(process("/tmp/x/updater", "-c", "import os").setSameAs("python3"))));
    assertEquals(
        "none", rule(spawn(process("/tmp/x/updater", "/opt/app/job.py").setSameAs("python3"))));
  }

  @Test
  void aLibraryOrAgentInjectedFromATempDirIsKnownBad() {
    ProcessTarget.Builder echo = process("/bin/echo", "hi");
    assertEquals("none", rule(spawn(echo.clone())), "the command alone is harmless");
    for (String env :
        List.of(
            "LD_PRELOAD=/tmp/evil.so",
            "LD_PRELOAD=/usr/lib/libjemalloc.so.2 /dev/shm/x.so",
            "LD_AUDIT=/var/tmp/a.so",
            "LD_PRELOAD=/proc/self/fd/7",
            "JAVA_TOOL_OPTIONS=-javaagent:/tmp/a.jar",
            "_JAVA_OPTIONS=-agentpath:/dev/shm/x.so")) {
      assertEquals("preload-temp", rule(spawn(echo.clone().addEnv(env))), env);
    }
    for (String env :
        List.of(
            "LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2",
            "PYTHONPATH=/opt/app/lib",
            "JAVA_TOOL_OPTIONS=-Xmx512m")) {
      assertEquals("none", rule(spawn(echo.clone().addEnv(env))), env);
    }
  }

  @Test
  void aReverseLookupIsJudgedByTheNamesItGaveAJndiDnsQueryByItsContext() {
    assertEquals(
        "none", rule(reverse("169.254.169.254")), "asking about an address contacts it not");
    assertEquals("cloud-metadata", rule(reverse("10.1.2.3", "metadata.google.internal")));
    CodeContext url =
        CodeContext.newBuilder()
            .setCategory("jndi")
            .setFrame("com.sun.jndi.url.dns.dnsURLContext.getAttributes")
            .build();
    assertEquals(
        "jndi-reach-out",
        rule(dns(DnsTarget.newBuilder().setQuery("c2VjcmV0.exfil.attacker.example"), url)));
    assertTrue(Alerts.describe(reverse("10.1.2.3", "db.corp")).contains("10.1.2.3 -> db.corp"));
  }

  @Test
  void whileMonitoringLoaderVariablesMakeANewCommandAndAReverseLookupANewLookup() {
    DetectionTest.MapState state = new DetectionTest.MapState();
    Detection detection = new Detection(DetectionTest.settings(), 3, DetectionTest.NO_METER, T0);
    Event plain = spawn(process("/usr/bin/convert", "in.png", "out.jpg"));
    state.batch(detection, T0, plain, reverse("10.0.0.5", "db.corp"));
    detection.tick(T0 + 12_000, state);
    assertEquals(ProfileState.MONITORING, state.profiles.get("shop").getState());
    state.published.clear();

    state.batch(detection, T0 + 13_000, plain, reverse("10.0.0.5", "db.corp"));
    assertEquals(List.of(), state.reasons(), "known behaviour");
    Event preloaded =
        spawn(process("/usr/bin/convert", "in.png", "out.jpg").addEnv("LD_PRELOAD=/opt/x/hook.so"));
    state.batch(detection, T0 + 14_000, preloaded, reverse("198.51.100.7", "c2.example"));
    assertEquals(List.of(AlertReason.NEW_PROCESS, AlertReason.NEW_CONNECTION), state.reasons());
    assertTrue(
        state.published.get(0).getDescription().contains("LD_PRELOAD=/opt/x/hook.so"),
        state.published.get(0).getDescription());
  }

  private static final long T0 = 1_000_000;
}

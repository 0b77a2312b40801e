package dev.tripline.model.protect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.model.CodeContext;
import dev.tripline.model.DnsTarget;
import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import dev.tripline.model.FileTarget;
import dev.tripline.model.NetworkTarget;
import dev.tripline.model.ProcessTarget;
import dev.tripline.model.ProtectionMode;
import dev.tripline.model.ProtectionPolicy;
import dev.tripline.model.judge.KnownBadRules;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Known-bad rules that may block (the rules file's {@code block} field), judged as the agent asks:
 * each refuses its attack and lets the near miss through; rules that only alert never refuse.
 */
class KnownBadRefusalTest {
  private static final ProtectionJudge BLOCK = ProtectionJudges.of(policy(ProtectionMode.BLOCK));

  static final CodeContext JNDI =
      ctx("jndi", "org.apache.logging.log4j.core.net.JndiManager.lookup");
  static final CodeContext JNDI_LOOKUP = ctx("jndi-lookup", "javax.naming.InitialContext.lookup");
  static final CodeContext DIRECTORY = ctx("directory", "com.sun.jndi.ldap.LdapCtx.c_lookup");
  static final CodeContext DESER = ctx("deserialization", "java.io.ObjectInputStream.readObject");
  static final CodeContext EL =
      ctx("expression", "org.springframework.expression.Expression.getValue");
  static final CodeContext SCRIPT = ctx("script", "javax.script.ScriptEngine.eval");
  static final CodeContext XXE =
      ctx(
          "xml-entity",
          "com.sun.org.apache.xerces.internal.impl.XMLEntityManager.setupCurrentEntity");

  static ProtectionPolicy policy(ProtectionMode mode) {
    return ProtectionPolicy.newBuilder()
        .setService("shop")
        .setMode(mode)
        .setVersion(1)
        .setIssuedAtMs(1)
        .build();
  }

  static CodeContext ctx(String category, String frame) {
    return CodeContext.newBuilder().setCategory(category).setFrame(frame).build();
  }

  static Event spawn(String exe, CodeContext... contexts) {
    return Event.newBuilder()
        .setKind(EventKind.PROCESS_SPAWN)
        .setProcess(ProcessTarget.newBuilder().setExecutable(exe).addArgv(exe).addArgv("-c"))
        .addAllContexts(List.of(contexts))
        .build();
  }

  static Event connect(String ip, int port, CodeContext... contexts) {
    return Event.newBuilder()
        .setKind(EventKind.NET_CONNECT)
        .setNetwork(NetworkTarget.newBuilder().setIp(ip).setPort(port).setProtocol("tcp"))
        .addAllContexts(List.of(contexts))
        .build();
  }

  static Event file(EventKind kind, String path, CodeContext... contexts) {
    return Event.newBuilder()
        .setKind(kind)
        .setFile(FileTarget.newBuilder().setPath(path))
        .addAllContexts(List.of(contexts))
        .build();
  }

  static Event unix(String path) {
    return Event.newBuilder()
        .setKind(EventKind.NET_CONNECT)
        .setNetwork(NetworkTarget.newBuilder().setProtocol("unix").setPath(path))
        .build();
  }

  private static String refused(Event e) {
    ProtectionJudge.Refusal r = BLOCK.judge(e);
    return r == null ? "none" : r.rule;
  }

  @Test
  void aProcessSpawnedUnderAnAttacksFrameIsRefusedAShellWithoutOneIsNot() {
    assertEquals("gadget-spawn", refused(spawn("/bin/sh", DESER)));
    assertEquals("gadget-spawn", refused(spawn("/usr/bin/id", EL)));
    assertEquals("gadget-spawn", refused(spawn("/usr/bin/touch", SCRIPT)));
    assertEquals("jndi-reach-out", refused(spawn("/usr/bin/id", JNDI)));
    assertEquals("jndi-lookup-out", refused(spawn("/usr/bin/id", JNDI_LOOKUP)));
    assertEquals("xxe-spawn", refused(spawn("/usr/bin/id", XXE)));
    // near misses: the shell alone (shell-spawn alerts, never refuses), a directory client's spawn
    assertEquals("none", refused(spawn("/bin/sh")));
    assertEquals("none", refused(spawn("/usr/bin/curl")));
    assertEquals("none", refused(spawn("/usr/bin/id", JNDI_LOOKUP, DIRECTORY)));
  }

  @Test
  void aConnectionUnderAJndiLookupIsRefusedOtherIoUnderItIsNot() {
    assertEquals("jndi-reach-out", refused(connect("10.0.0.9", 1389, JNDI)));
    assertEquals("jndi-reach-out", refused(connect("10.0.0.9", 8080, JNDI)));
    assertEquals("jndi-lookup-out", refused(connect("10.0.0.9", 443, JNDI_LOOKUP)));
    // near misses: a configured directory context, the LDAP port without a frame (jndi-callback
    // alerts only), a connection under a deserializer (gadget-io alerts only), a DNS lookup or an
    // ordinary file read under JNDI (alerted by jndi-reach-out; never refused)
    assertEquals("none", refused(connect("10.0.0.9", 389, JNDI_LOOKUP, DIRECTORY)));
    assertEquals("none", refused(connect("10.0.0.9", 1389)));
    assertEquals("none", refused(connect("10.0.0.9", 443, DESER)));
    Event dns =
        Event.newBuilder()
            .setKind(EventKind.DNS_LOOKUP)
            .setDns(DnsTarget.newBuilder().setQuery("attacker.example"))
            .addContexts(JNDI)
            .build();
    assertEquals("none", refused(dns));
    assertEquals("none", refused(file(EventKind.FILE_READ, "/srv/app/x.properties", JNDI)));
  }

  @Test
  void aCredentialsReadUnderAnAttacksFrameIsRefusedTheSameReadWithoutOneIsNot() {
    for (CodeContext c : List.of(JNDI, JNDI_LOOKUP, DESER, EL, SCRIPT, XXE)) {
      assertEquals(
          "context-credential-read",
          refused(file(EventKind.FILE_READ, "/home/app/.aws/credentials", c)),
          c.getCategory());
    }
    assertEquals(
        "context-credential-read",
        refused(
            file(EventKind.FILE_READ, "/var/run/secrets/kubernetes.io/serviceaccount/token", XXE)));
    assertEquals(
        "context-credential-read", refused(file(EventKind.FILE_READ, "/etc/shadow", DESER)));
    // near misses: the same file with no frame (credential-file alerts only), another file under
    // the frame (xxe-read / gadget-io alert only), a write of the file (gadget-write alerts only)
    assertEquals("none", refused(file(EventKind.FILE_READ, "/home/app/.aws/credentials")));
    assertEquals("none", refused(file(EventKind.FILE_READ, "/etc/passwd", XXE)));
    assertEquals("none", refused(file(EventKind.FILE_WRITE, "/home/app/.aws/credentials", DESER)));
  }

  @Test
  void aContainerRuntimeSocketIsRefusedAnotherSocketIsNot() {
    assertEquals("container-socket", refused(unix("/var/run/docker.sock")));
    assertEquals("container-socket", refused(unix("/run/containerd/containerd.sock")));
    assertEquals("none", refused(unix("/tmp/app.sock")));
    // the socket file read as a file is not a connection to the runtime
    assertEquals("none", refused(file(EventKind.FILE_READ, "/var/run/docker.sock")));
  }

  @Test
  void everyBuiltInRuleThatMayBlockIsTestedHereAndOnlyEnforceableKindsBlock() throws IOException {
    Set<String> mayBlock = new TreeSet<>();
    KnownBadRules rules = KnownBadRules.load("");
    for (KnownBadRules.Rule r : rules.rules()) {
      if (r.blocks().isEmpty()) continue;
      mayBlock.add(r.id());
      assertTrue(ProtectionJudges.ENFORCEABLE.containsAll(r.blocks()), r.id() + " " + r.blocks());
    }
    assertEquals(
        new TreeSet<>(
            List.of(
                "container-socket",
                "context-credential-read",
                "gadget-spawn",
                "jndi-lookup-out",
                "jndi-reach-out",
                "xxe-spawn")),
        mayBlock,
        "a rule newly flagged block needs its attack and near miss above");
  }

  @Test
  void theRefusalNamesTheRuleTheFrameAndStaysOneShortLine() {
    ProtectionJudge.Refusal r = BLOCK.judge(spawn("/bin/sh", DESER));
    assertTrue(r != null && r.knownBad);
    assertEquals(
        "Process spawned during deserialization or expression/script evaluation"
            + " (deserialization: java.io.ObjectInputStream.readObject)",
        r.reason);
    String longFrame = "a".repeat(5000);
    ProtectionJudge.Refusal cut = BLOCK.judge(spawn("/bin/sh", ctx("deserialization", longFrame)));
    assertTrue(cut != null && cut.reason.length() <= ProtectionJudges.MAX_REASON + 1, cut.reason);
    assertTrue(cut.reason.indexOf('\n') < 0);
  }

  @Test
  void offAndUnknownModesNeverRefuseDryRunJudgesAsBlock() {
    assertSame(
        ProtectionJudge.ALLOW_ALL, ProtectionJudges.of(policy(ProtectionMode.PROTECTION_OFF)));
    assertSame(
        ProtectionJudge.ALLOW_ALL,
        ProtectionJudges.of(
            policy(ProtectionMode.PROTECTION_OFF).toBuilder().setModeValue(7).build()));
    assertSame(
        ProtectionJudge.ALLOW_ALL, ProtectionJudges.of(ProtectionPolicy.getDefaultInstance()));
    ProtectionJudge dryRun = ProtectionJudges.of(policy(ProtectionMode.DRY_RUN));
    ProtectionJudge.Refusal r = dryRun.judge(connect("10.0.0.9", 1389, JNDI));
    assertEquals("jndi-reach-out", r == null ? "none" : r.rule);
    // an empty or odd candidate is let through, never an exception
    assertNull(BLOCK.judge(Event.getDefaultInstance()));
    assertNull(BLOCK.judge(Event.newBuilder().setKindValue(999).build()));
  }

  @Test
  void onlyTheBuiltInFileMayFlagBlock(@TempDir Path dir) throws IOException {
    Path mine = dir.resolve("mine.rules");
    Files.writeString(
        mine,
        "legacy | any | * | HIGH | T1059 | t | kind=PROCESS_SPAWN | block\n",
        StandardCharsets.UTF_8);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> KnownBadRules.load(mine.toString()));
    assertTrue(e.getMessage().contains(":1: only the built-in rules may block"), e.getMessage());
    // the flag's own errors (a kind never refused, one the rule cannot match): KnownBadRulesTest
  }
}

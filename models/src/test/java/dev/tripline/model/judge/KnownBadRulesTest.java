package dev.tripline.model.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.model.CallSite;
import dev.tripline.model.CodeContext;
import dev.tripline.model.DnsTarget;
import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import dev.tripline.model.FileTarget;
import dev.tripline.model.NetworkTarget;
import dev.tripline.model.ProcessTarget;
import dev.tripline.model.Severity;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rules on their own: canonical paths, sockets, code context, call-site class and jar. */
public class KnownBadRulesTest {
  private static final KnownBadRules BUILT_IN = KnownBadRules.load("");
  public static final CodeContext JNDI =
      CodeContext.newBuilder()
          .setCategory("jndi")
          .setFrame("org.apache.logging.log4j.core.net.JndiManager.lookup")
          .setJarName("log4j-core-2.14.1.jar")
          .build();
  public static final CodeContext DESER =
      CodeContext.newBuilder()
          .setCategory("deserialization")
          .setFrame("java.io.ObjectInputStream.readObject")
          .build();
  public static final CodeContext XXE =
      CodeContext.newBuilder()
          .setCategory("xml-entity")
          .setFrame("com.sun.org.apache.xerces.internal.impl.XMLEntityManager.setupCurrentEntity")
          .build();

  static Event read(String path) {
    return Event.newBuilder()
        .setKind(EventKind.FILE_READ)
        .setFile(FileTarget.newBuilder().setPath(path))
        .build();
  }

  static Event connect(String ip, int port, CodeContext... contexts) {
    return Event.newBuilder()
        .setKind(EventKind.NET_CONNECT)
        .setNetwork(NetworkTarget.newBuilder().setIp(ip).setPort(port).setProtocol("tcp"))
        .addAllContexts(List.of(contexts))
        .build();
  }

  static Event unix(String path) {
    return Event.newBuilder()
        .setKind(EventKind.NET_CONNECT)
        .setNetwork(NetworkTarget.newBuilder().setProtocol("unix").setPath(path))
        .build();
  }

  static Event spawn(String exe, CodeContext... contexts) {
    return Event.newBuilder()
        .setKind(EventKind.PROCESS_SPAWN)
        .setProcess(ProcessTarget.newBuilder().setExecutable(exe).addArgv(exe))
        .addAllContexts(List.of(contexts))
        .build();
  }

  private static String rule(Event e) {
    return BUILT_IN.match(e).map(KnownBadRules.Rule::id).orElse("none");
  }

  @Test
  void credentialReadsAreCaughtWhateverTheSpelling() {
    assertEquals("credential-file", rule(read("/etc/./shadow")));
    assertEquals("credential-file", rule(read("//etc//shadow")));
    assertEquals("credential-file", rule(read("/tmp/app/data/../../../etc/shadow")));
    assertEquals("credential-file", rule(read("/home/u/.aws/./credentials")));
    Event viaLink =
        Event.newBuilder()
            .setKind(EventKind.FILE_READ)
            .setFile(
                FileTarget.newBuilder()
                    .setPath("/srv/app/data/innocent.txt")
                    .setRealPath("/etc/shadow"))
            .build();
    assertEquals("credential-file", rule(viaLink), "the symlink's target judges");
    Event linkNamedLikeCredentials =
        Event.newBuilder()
            .setKind(EventKind.FILE_READ)
            .setFile(
                FileTarget.newBuilder()
                    .setPath("/home/u/.aws/credentials")
                    .setRealPath("/data/creds.txt"))
            .build();
    assertEquals("credential-file", rule(linkNamedLikeCredentials), "the name used counts too");
    assertEquals("none", rule(read("/etc/shadow.bak/../hosts")));
    assertEquals("none", rule(read("/tmp/app/config.yml")));
  }

  @Test
  void containerRuntimeSocketsAreCritical() {
    for (String p :
        List.of(
            "/var/run/docker.sock",
            "/run/docker.sock",
            "/home/u/.local/share/docker.sock",
            "/run/containerd/containerd.sock",
            "/var/run/crio/crio.sock",
            "/run/podman/podman.sock",
            "/var/lib/kubelet/pod-resources/kubelet.sock",
            "/var/run/./docker.sock")) {
      Optional<KnownBadRules.Rule> r = BUILT_IN.match(unix(p));
      assertEquals("container-socket", r.map(KnownBadRules.Rule::id).orElse("none"), p);
      assertEquals(Severity.CRITICAL, r.get().severity());
      assertEquals("T1611", r.get().mitre().getId());
      assertEquals("Escape to Host", r.get().mitre().getName());
    }
    assertEquals("none", rule(unix("/run/app/metrics.sock")));
    assertEquals(
        "none", rule(read("/var/run/docker.sock")), "socket rules match sockets, not file reads");
  }

  @Test
  void jndiReachingOutIsCriticalOnAnyPort() {
    assertEquals("jndi-reach-out", rule(connect("127.0.0.1", 40123, JNDI)));
    assertEquals(
        "jndi-reach-out", rule(connect("10.0.0.5", 389, JNDI)), "more severe than the port rule");
    assertEquals("jndi-callback", rule(connect("10.0.0.5", 389)));
    assertEquals("none", rule(connect("10.0.0.5", 40123)));
    Event dns =
        Event.newBuilder()
            .setKind(EventKind.DNS_LOOKUP)
            .setDns(DnsTarget.newBuilder().setQuery("x.attacker.example"))
            .addContexts(JNDI)
            .build();
    assertEquals("jndi-reach-out", rule(dns));
    assertEquals(Severity.CRITICAL, BUILT_IN.match(dns).get().severity());
    assertEquals(
        JNDI,
        BUILT_IN.match(dns).get().contextOf(dns).orElseThrow(),
        "the alert can name the frame");
    assertEquals(
        "jndi-reach-out",
        rule(read("/etc/hosts").toBuilder().addContexts(JNDI).build()),
        "any I/O under a JNDI name lookup is known-bad, a file read too");
  }

  @Test
  void gadgetsSpawningOrWritingAreCriticalXxeReadsHigh() {
    assertEquals("gadget-spawn", rule(spawn("/usr/bin/touch", DESER)));
    assertEquals("none", rule(spawn("/usr/bin/touch")));
    Event write =
        Event.newBuilder()
            .setKind(EventKind.FILE_WRITE)
            .setFile(FileTarget.newBuilder().setPath("/srv/x.jsp"))
            .addContexts(
                CodeContext.newBuilder()
                    .setCategory("expression")
                    .setFrame("org.springframework.expression.spel.ast.MethodReference.getValue"))
            .build();
    assertEquals("gadget-write", rule(write));
    Event xxe = read("/etc/hostname").toBuilder().addContexts(XXE).build();
    assertEquals("xxe-read", rule(xxe));
    assertEquals(Severity.HIGH, BUILT_IN.match(xxe).get().severity());
    assertEquals(
        "credential-file",
        rule(read("/etc/shadow").toBuilder().addContexts(XXE).build()),
        "ties go to the first rule");
    assertEquals("xxe-read", rule(connect("10.1.1.1", 80, XXE)));
  }

  @Test
  void userRulesMatchOnCallSiteClassAndJar(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("mine.rules");
    Files.writeString(
        file,
        String.join(
            "\n",
            "# comment",
            "legacy-spawn | any | * | HIGH | T1059 | Legacy code spawned a process | class=com.acme.legacy.* kind=PROCESS_SPAWN",
            "old-log4j-net | host | * | MEDIUM | T1190 | Old log4j talks | jar=log4j-core-2.1*.jar kind=NET_CONNECT",
            "old-style | path | /srv/secret/* | LOW | T1005 | Secret dir"));
    KnownBadRules rules = KnownBadRules.load(file.toString());
    Event legacy =
        spawn("/usr/bin/convert").toBuilder()
            .setCallSite(CallSite.newBuilder().setClassName("com.acme.legacy.Img"))
            .build();
    assertEquals("legacy-spawn", rules.match(legacy).map(KnownBadRules.Rule::id).orElse("none"));
    Event modern =
        legacy.toBuilder()
            .setCallSite(CallSite.newBuilder().setClassName("com.acme.modern.Img"))
            .build();
    assertEquals("none", rules.match(modern).map(KnownBadRules.Rule::id).orElse("none"));
    Event log4j =
        connect("10.0.0.1", 443).toBuilder()
            .setCallSite(
                CallSite.newBuilder().setClassName("x.Y").setJarName("log4j-core-2.14.1.jar"))
            .build();
    assertEquals("old-log4j-net", rules.match(log4j).map(KnownBadRules.Rule::id).orElse("none"));
    assertEquals(
        "none",
        rules
            .match(
                log4j.toBuilder()
                    .setCallSite(
                        CallSite.newBuilder().setJarName("log4j-core-2.24.0.jar").setClassName("x"))
                    .build())
            .map(KnownBadRules.Rule::id)
            .orElse("none"),
        "2.24.0 is not 2.1*");
    // inside a fat jar the artifact is named by its file, and jar= matches the deployable too
    Event nested =
        connect("10.0.0.1", 443).toBuilder()
            .setCallSite(
                CallSite.newBuilder()
                    .setClassName("x.Y")
                    .setJarName("log4j-core-2.14.1.jar")
                    .setArchive("shop.jar"))
            .build();
    assertEquals("old-log4j-net", rules.match(nested).map(KnownBadRules.Rule::id).orElse("none"));
    Event byArchive =
        connect("10.0.0.1", 443).toBuilder()
            .setCallSite(
                CallSite.newBuilder()
                    .setClassName("x.Y")
                    .setJarName("shop.jar (BOOT-INF/classes)")
                    .setArchive("log4j-core-2.14.1.jar"))
            .build();
    assertEquals(
        "old-log4j-net",
        rules.match(byArchive).map(KnownBadRules.Rule::id).orElse("none"),
        "jar= matches the archive as well as the jar name");
    Event neither =
        nested.toBuilder()
            .setCallSite(nested.getCallSite().toBuilder().setJarName("netty-4.1.jar"))
            .build();
    assertEquals("none", rules.match(neither).map(KnownBadRules.Rule::id).orElse("none"));
    assertEquals(
        "old-style",
        rules.match(read("/srv/secret/../secret/k")).map(KnownBadRules.Rule::id).orElse("none"),
        "6 fields still work");
  }

  @Test
  void parseErrorsNameFileAndLine() {
    assertParseError(
        "x | path | /a | HIGH | T1 | t | context=jndi | block | extra",
        "mine.rules:2: expected 6 to 8 fields");
    assertParseError(
        "x | path | /a | HIGH | T1 | t | context=jndi | extra",
        "mine.rules:2: the 8th field is block or block=KIND,…, not 'extra'");
    assertParseError("x | file | /a | HIGH | T1 | t", "mine.rules:2: match must be one of");
    assertParseError("x | path | /a | SEVERE | T1 | t", "mine.rules:2: unknown severity 'SEVERE'");
    assertParseError(
        "x | any | * | HIGH | T1 | t | kind=NET_CONECT",
        "mine.rules:2: unknown event kind 'NET_CONECT'");
    assertParseError(
        "x | any | * | HIGH | T1 | t | package=com.acme.*",
        "mine.rules:2: unknown condition 'package'");
    assertParseError(
        "x | any | * | HIGH | T1 | t | context",
        "mine.rules:2: condition 'context' is not key=value");
    assertParseError("x | path |  | HIGH | T1 | t", "mine.rules:2: no patterns");
    // the block field (protect mode): only kinds an agent refuses, and only ones the rule matches
    assertParseError(
        "x | any | * | HIGH | T1 | t | | block=DNS_LOOKUP",
        "mine.rules:2: DNS_LOOKUP is never refused");
    assertParseError(
        "x | any | * | HIGH | T1 | t | kind=PROCESS_SPAWN | block=NET_CONNECT",
        "mine.rules:2: the rule never matches NET_CONNECT");
    assertParseError(
        "x | any | * | HIGH | T1 | t | kind=DNS_LOOKUP | block",
        "mine.rules:2: block leaves no kind this rule can refuse");
    assertParseError(
        "x | any | * | HIGH | T1 | t | | block=NET_CONECT",
        "mine.rules:2: unknown event kind 'NET_CONECT'");
  }

  private static void assertParseError(String line, String expected) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> KnownBadRules.parse(new StringReader("# header\n" + line + "\n"), "mine.rules"));
    assertTrue(e.getMessage().startsWith(expected), e.getMessage());
  }
}

package dev.tripline.model.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.model.CodeContext;
import dev.tripline.model.DnsTarget;
import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import dev.tripline.model.FileTarget;
import dev.tripline.model.NetworkTarget;
import dev.tripline.model.ProcessTarget;
import dev.tripline.model.Severity;
import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The rule gaps of issue 22: credential files, any I/O under a gadget, JNDI told from a directory
 * client, interpreters and launchers as shells, metadata addresses compared as addresses.
 */
public class KnownBadGapsTest {
  private static final KnownBadRules BUILT_IN = KnownBadRules.load("");

  private static CodeContext ctx(String category, String frame) {
    return CodeContext.newBuilder().setCategory(category).setFrame(frame).build();
  }

  static final CodeContext URL_LOOKUP = ctx("jndi", "com.sun.jndi.url.ldap.ldapURLContext.lookup");
  static final CodeContext LOOKUP = ctx("jndi-lookup", "javax.naming.InitialContext.lookup");
  static final CodeContext DIRECTORY = ctx("directory", "com.sun.jndi.ldap.LdapCtx.c_search");
  static final CodeContext REFERENCE =
      ctx("jndi", "javax.naming.spi.DirectoryManager.getObjectInstance");

  private static String rule(Event e) {
    return BUILT_IN.match(e).map(KnownBadRules.Rule::id).orElse("none");
  }

  private static Event file(EventKind kind, String path) {
    return Event.newBuilder().setKind(kind).setFile(FileTarget.newBuilder().setPath(path)).build();
  }

  private static Event read(String path) {
    return file(EventKind.FILE_READ, path);
  }

  private static Event connect(String host, String ip, int port, CodeContext... contexts) {
    return Event.newBuilder()
        .setKind(EventKind.NET_CONNECT)
        .setNetwork(NetworkTarget.newBuilder().setHost(host).setIp(ip).setPort(port))
        .addAllContexts(List.of(contexts))
        .build();
  }

  private static Event dns(String query, CodeContext... contexts) {
    return Event.newBuilder()
        .setKind(EventKind.DNS_LOOKUP)
        .setDns(DnsTarget.newBuilder().setQuery(query))
        .addAllContexts(List.of(contexts))
        .build();
  }

  public static Event spawn(String... argv) {
    return Event.newBuilder()
        .setKind(EventKind.PROCESS_SPAWN)
        .setProcess(ProcessTarget.newBuilder().setExecutable(argv[0]).addAllArgv(List.of(argv)))
        .build();
  }

  @Test
  void credentialFilesInAnyHomeAreCaught() {
    for (String home : List.of("/root", "/home/app", "/opt/keycloak", "/var/lib/jenkins")) {
      for (String f :
          List.of(
              "/.config/gcloud/application_default_credentials.json",
              "/.azure/msal_token_cache.json",
              "/.vault-token",
              "/.m2/settings.xml",
              "/.npmrc",
              "/.config/gh/hosts.yml",
              "/.bash_history")) {
        assertEquals("credential-file", rule(read(home + f)), home + f);
      }
    }
    assertEquals("none", rule(read("/home/app/.m2/repository/x/settings.xml.sha1")));
    assertEquals("none", rule(read("/home/app/.bashrc")));
  }

  @Test
  void writingAuthorizedKeysIsPersistenceReadingItIsNot() {
    Event write = file(EventKind.FILE_WRITE, "/root/.ssh/authorized_keys");
    assertEquals("ssh-authorized-keys", rule(write));
    assertEquals(Severity.CRITICAL, BUILT_IN.match(write).get().severity());
    assertEquals("T1098.004", BUILT_IN.match(write).get().mitre().getId());
    assertEquals(
        "ssh-authorized-keys", rule(file(EventKind.FILE_WRITE, "/home/u/.ssh/authorized_keys2")));
    Event renamedInto =
        Event.newBuilder()
            .setKind(EventKind.FILE_RENAME)
            .setFile(
                FileTarget.newBuilder()
                    .setPath("/tmp/k")
                    .setNewPath("/home/u/.ssh/authorized_keys"))
            .build();
    assertEquals("ssh-authorized-keys", rule(renamedInto));
    assertEquals("none", rule(read("/home/u/.ssh/authorized_keys")));
  }

  @Test
  void serviceAccountTokensThroughTheProjectedVolumeLayout() {
    for (String p :
        List.of(
            "/var/run/secrets/kubernetes.io/serviceaccount/token",
            "/var/run/secrets/kubernetes.io/serviceaccount/..data/token",
            "/var/run/secrets/kubernetes.io/serviceaccount/..2026_01_01_00_00_00.123/token",
            "/run/secrets/kubernetes.io/serviceaccount/..data/token",
            "/var/run/secrets/eks.amazonaws.com/serviceaccount/token",
            "/var/run/secrets/eks.amazonaws.com/serviceaccount/..data/token",
            "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token",
            "/var/run/secrets/azure/tokens/azure-identity-token")) {
      assertEquals("k8s-sa-token", rule(read(p)), p);
    }
    Event viaLink =
        Event.newBuilder()
            .setKind(EventKind.FILE_READ)
            .setFile(
                FileTarget.newBuilder()
                    .setPath("/var/run/secrets/kubernetes.io/serviceaccount/token")
                    .setRealPath(
                        "/var/run/secrets/kubernetes.io/serviceaccount/..2026_01_01_00_00_00.123/token"))
            .build();
    assertEquals("k8s-sa-token", rule(viaLink));
    assertEquals("none", rule(read("/var/run/secrets/kubernetes.io/serviceaccount/ca.crt")));
  }

  @Test
  void processCommandLinesAndEnvironmentsAreSecrets() {
    assertEquals("proc-environ", rule(read("/proc/self/cmdline")));
    assertEquals("proc-environ", rule(read("/proc/4242/cmdline")));
    assertEquals("proc-environ", rule(read("/proc/thread-self/environ")));
    assertEquals("none", rule(read("/proc/self/status")));
  }

  @Test
  void anyIoUnderAGadgetIsKnownBad() {
    CodeContext deser = ctx("deserialization", "java.io.ObjectInputStream.readObject");
    CodeContext script = ctx("script", "javax.script.AbstractScriptEngine.eval");
    CodeContext expression =
        ctx("expression", "org.springframework.expression.spel.ast.MethodReference.getValue");
    assertEquals("gadget-io", rule(connect("c2.example", "203.0.113.9", 443, deser)));
    assertEquals("gadget-io", rule(dns("x.attacker.example", script)));
    assertEquals(
        "gadget-io", rule(read("/srv/app/config.yml").toBuilder().addContexts(expression).build()));
    assertEquals(
        "gadget-spawn", rule(spawn("/usr/bin/touch").toBuilder().addContexts(deser).build()));
    assertEquals("none", rule(connect("c2.example", "203.0.113.9", 443)));
    assertEquals(
        "none",
        rule(
            connect(
                "c2.example",
                "203.0.113.9",
                443,
                ctx("reflection", "java.lang.reflect.Method.invoke"))),
        "reflection is everywhere: not a gadget on its own");
  }

  @Test
  void aDirectoryClientIsNotAJndiCallback() {
    // Keycloak's LDAP user federation: a context built from its configuration, searched.
    assertEquals("none", rule(connect("ldap.corp", "10.0.0.5", 389, DIRECTORY)));
    assertEquals("none", rule(connect("ldap.corp", "10.0.0.5", 636, DIRECTORY)));
    assertEquals(
        "none", rule(connect("ldap.corp", "10.0.0.5", 389, LOOKUP, DIRECTORY)), "lookup(dn)");
    assertEquals("none", rule(dns("ldap.corp", DIRECTORY)));
    // A name carrying its own URL, or a reference resolved, is the Log4Shell shape.
    Event log4shell = connect("evil.example", "203.0.113.9", 1389, URL_LOOKUP, LOOKUP, DIRECTORY);
    assertEquals("jndi-reach-out", rule(log4shell));
    assertEquals(Severity.CRITICAL, BUILT_IN.match(log4shell).get().severity());
    assertEquals(
        "jndi-reach-out",
        rule(connect("codebase.example", "203.0.113.9", 8000, DIRECTORY, REFERENCE)),
        "a reference in a configured directory resolved through a remote factory");
    assertEquals(
        "jndi-lookup-out",
        rule(connect("evil.example", "203.0.113.9", 1389, LOOKUP)),
        "a lookup through a provider we cannot vouch for");
    assertEquals(
        "jndi-callback",
        rule(connect("evil.example", "203.0.113.9", 1389)),
        "no context at all: the port still speaks");
  }

  @Test
  void interpretersGivenInlineCodeAreShells() {
    for (String[] argv :
        List.of(
            new String[] {"/usr/bin/python3", "-c", "import os"},
            new String[] {"python3", "-Ic", "import os"},
            new String[] {"python3", "-cimport os"},
            new String[] {"python3", "-W", "ignore", "-c", "x"},
            new String[] {"/usr/bin/python3.12"},
            new String[] {"python3", "-"},
            new String[] {"perl", "-e", "exec '/bin/sh'"},
            new String[] {"perl", "-MSocket", "-e", "x"},
            new String[] {"perl", "-ne", "print"},
            new String[] {"ruby", "-e", "x"},
            new String[] {"node", "-e", "x"},
            new String[] {"node", "--eval=x"},
            new String[] {"php", "-r", "system('id');"},
            new String[] {"/usr/bin/env", "python3", "-c", "x"})) {
      assertEquals(Severity.CRITICAL, severity(spawn(argv)), String.join(" ", argv));
      assertTrue(rule(spawn(argv)).startsWith("inline-"), String.join(" ", argv));
    }
    assertEquals("none", rule(spawn("python3", "/srv/tools/convert.py", "-c", "in.txt")));
    assertEquals("none", rule(spawn("python3", "-m", "http.server")));
    assertEquals("none", rule(spawn("perl", "/srv/report.pl", "-e")));
    assertEquals("none", rule(spawn("node", "server.js")));
  }

  @Test
  void launchersAreJudgedByWhatTheyRun() {
    assertEquals("shell-spawn", rule(spawn("/usr/bin/env", "sh", "-c", "id")));
    assertEquals("shell-spawn", rule(spawn("env", "-i", "PATH=/bin", "/bin/bash", "-c", "id")));
    assertEquals("shell-spawn", rule(spawn("env", "-S", "sh -c id")));
    assertEquals("shell-spawn", rule(spawn("/bin/busybox", "sh", "-c", "id")));
    assertEquals("shell-spawn", rule(spawn("/lib64/ld-linux-x86-64.so.2", "/bin/sh", "-c", "id")));
    assertEquals(
        "shell-spawn",
        rule(spawn("/lib/ld-linux-aarch64.so.1", "--library-path", "/tmp", "/bin/dash")));
    assertEquals("shell-spawn", rule(spawn("/lib/ld-musl-x86_64.so.1", "/bin/sh")));
    assertEquals("shell-spawn", rule(spawn("nohup", "timeout", "5", "bash", "-i")));
    assertEquals("download-tool", rule(spawn("setsid", "nc", "203.0.113.9", "4444")));
    assertEquals("none", rule(spawn("/usr/bin/env", "java", "-version")));
    assertEquals(
        "none", rule(spawn("/usr/bin/git", "sh")), "not a launcher: its arguments are data");
  }

  private static Severity severity(Event e) {
    return BUILT_IN
        .match(e)
        .map(KnownBadRules.Rule::severity)
        .orElse(Severity.SEVERITY_UNSPECIFIED);
  }

  @Test
  void metadataAddressesMatchWhateverTheSpelling() {
    for (String ip :
        List.of(
            "fd00:ec2:0:0:0:0:0:254", // what Java's getHostAddress writes
            "fd00:ec2::254",
            "[FD00:EC2::0254]",
            "fd00:ec2:0:0:0:0:0:254%eth0",
            "169.254.170.23",
            "fd00:ec2:0:0:0:0:0:23",
            "fd20:ce:0:0:0:0:0:254",
            "0:0:0:0:0:ffff:a9fe:a9fe",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
            "168.63.129.16",
            "169.254.170.2")) {
      assertEquals("cloud-metadata", rule(connect("", ip, 80)), ip);
      assertEquals("cloud-metadata", rule(connect(ip, "", 80)), "as a host: " + ip);
    }
    assertEquals("cloud-metadata", rule(dns("METADATA.google.internal")));
    assertEquals("none", rule(connect("", "fd00:ec2:0:0:0:0:1:254", 80)));
    assertEquals("none", rule(connect("", "169.254.169.25", 80)));
    assertEquals("none", rule(connect("", "10.169.254.169", 80)));
  }

  @Test
  void ipLiteralsParseWithoutEverResolving() {
    assertEquals(IpLiteral.key("fd00:ec2::254"), IpLiteral.key("fd00:ec2:0:0:0:0:0:254"));
    assertEquals(IpLiteral.key("169.254.169.254"), IpLiteral.key("::ffff:169.254.169.254"));
    assertEquals("a9fea9fe", IpLiteral.key("169.254.169.254"));
    assertNotNull(IpLiteral.key("::"));
    assertNotNull(IpLiteral.key("1::"));
    for (String notIp :
        List.of(
            "metadata.google.internal",
            "169.254.169",
            "169.254.169.254.1",
            "256.1.1.1",
            "1:2:3:4:5:6:7:8:9",
            "1::2::3",
            "fd00:ec2::254x",
            "12345::1",
            "",
            ":",
            "1.2.3.4:80")) {
      assertNull(IpLiteral.key(notIp), notIp);
    }
  }

  @Test
  void optionAndNegatedContextConditionsParse() throws Exception {
    List<KnownBadRules.Rule> rules =
        KnownBadRules.parse(
            new StringReader(
                "r | exec | tclsh | HIGH | T1059 | t | option=c,--eval* context!=directory,jndi"),
            "test");
    KnownBadRules.When w = rules.get(0).when();
    assertEquals(List.of("c", "--eval*"), w.options());
    assertEquals(List.of("directory", "jndi"), w.withoutContexts());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                KnownBadRules.parse(
                    new StringReader("r | exec | x | HIGH | T1059 | t | kind!=FILE_READ"), "f"));
    assertTrue(e.getMessage().contains("f:1: only context may be negated"), e.getMessage());
  }
}

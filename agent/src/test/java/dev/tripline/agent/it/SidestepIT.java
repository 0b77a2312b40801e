package dev.tripline.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sidesteps of {@code dev.tripline.testapp.SidestepApp}, each visible in the events: a shell
 * copied or linked under another name is reported as the same program as /bin/sh, /proc/self/exe by
 * its real path, LD_PRELOAD makes a known command a new one, and a reverse lookup and a JNDI DNS
 * query are DNS_LOOKUP events.
 */
class SidestepIT {
  private static final String APP = "dev.tripline.testapp.SidestepApp";

  @OnEveryJdk
  void aShellUnderAnotherNameLdPreloadReverseAndJndiDnsAreReported(Path java, @TempDir Path work)
      throws Exception {
    Path files = work.resolve("files");
    AgentRun run =
        AgentRun.testApp(java, work, APP, List.of(), files.toString())
            .assertFinished("SIDESTEPAPP DONE");
    String sh = Path.of("/bin/sh").toRealPath().toString();

    // a copy: another file, the same content
    Map<String, Object> copy = one(run, "PROCESS_SPAWN", argv0(files.resolve("kworker")));
    assertEquals("sh", copy.get("sameAs"), copy.toString());
    assertFalse(copy.containsKey("realPath"), "a copy is its own file: " + copy);
    // a link: the same file
    Map<String, Object> link = one(run, "PROCESS_SPAWN", argv0(files.resolve("kthreadd")));
    assertEquals("sh", link.get("sameAs"), link.toString());
    assertEquals(sh, link.get("realPath"), link.toString());
    // /proc/self/exe: the JVM's own launcher, by its real path
    Map<String, Object> self = one(run, "PROCESS_SPAWN", argv0(Path.of("/proc/self/exe")));
    assertEquals(
        Path.of(java.toString()).toRealPath().toString(), self.get("realPath"), self.toString());

    // the same command: plain, with LD_PRELOAD (a new one), with TZ changed (a repeat)
    List<Map<String, Object>> echo =
        run.ofKind("PROCESS_SPAWN").stream()
            .filter(e -> List.of("/bin/echo", "preload").equals(e.get("argv")))
            .collect(Collectors.toList());
    long plain =
        echo.stream().filter(e -> !e.containsKey("env")).mapToLong(SidestepIT::count).sum();
    List<Map<String, Object>> preloaded =
        echo.stream().filter(e -> e.containsKey("env")).collect(Collectors.toList());
    assertEquals(2, plain, "TZ changes nothing that matters: " + echo);
    assertEquals(1, preloaded.size(), echo.toString());
    assertEquals(
        List.of("LD_PRELOAD=" + files.resolve("evil.so")),
        preloaded.get(0).get("env"),
        preloaded.toString());
    assertEquals(1L, preloaded.get(0).get("count"), preloaded.toString());

    // reverse DNS: the address asked about, the name it gave
    Map<String, Object> reverse = one(run, "DNS_LOOKUP", e -> "127.0.0.1".equals(e.get("query")));
    assertEquals(Boolean.TRUE, reverse.get("reverse"), reverse.toString());
    assertTrue(run.output.contains("reverse 127.0.0.1 = "), run.output);
    String name = run.output.replaceAll("(?s).*reverse 127\\.0\\.0\\.1 = (\\S+).*", "$1");
    if (!name.equals("127.0.0.1")) {
      assertEquals(List.of(name), reverse.get("resolvedIps"), reverse.toString());
    }
    assertEquals("reverse", AgentRun.callSite(reverse).get("methodName"), reverse.toString());

    // a ServerSocket that lies about its port: the port really bound, and its accepted socket's
    int real =
        Integer.parseInt(run.output.replaceAll("(?s).*lying server on (\\d+) says 8080.*", "$1"));
    Map<String, Object> listen =
        one(run, "NET_LISTEN", e -> Long.valueOf(real).equals(e.get("port")));
    assertTrue(
        List.of("0.0.0.0", "0:0:0:0:0:0:0:0", "::").contains(listen.get("ip")),
        "all interfaces, not the loopback it claims: " + listen);
    assertEquals(
        List.of(),
        run.events.stream()
            .filter(e -> Long.valueOf(8080).equals(e.get("port")))
            .collect(Collectors.toList()),
        "nothing reported as the lie");
    Map<String, Object> accept =
        one(run, "NET_ACCEPT", e -> Long.valueOf(real).equals(e.get("port")));
    assertEquals("127.0.0.1", accept.get("ip"), accept.toString());

    // the JNDI DNS provider's query: the name, under the JNDI context
    Map<String, Object> jndi =
        one(run, "DNS_LOOKUP", e -> "c2VjcmV0.exfil.attacker.example".equals(e.get("query")));
    assertEquals("jndiDns", AgentRun.callSite(jndi).get("methodName"), jndi.toString());
    assertTrue(String.valueOf(jndi.get("contexts")).contains("category=jndi"), jndi.toString());
  }

  private static long count(Map<String, Object> e) {
    return (Long) e.get("count");
  }

  private static Predicate<Map<String, Object>> argv0(Path p) {
    return e ->
        e.get("argv") instanceof List && p.toString().equals(((List<?>) e.get("argv")).get(0));
  }

  private static Map<String, Object> one(
      AgentRun run, String kind, Predicate<Map<String, Object>> which) {
    List<Map<String, Object>> found =
        run.ofKind(kind).stream().filter(which).collect(Collectors.toList());
    assertEquals(1, found.size(), kind + " once:\n" + run);
    return found.get(0);
  }
}

package dev.tripline.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.kafka.Patience;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 22, files: the agent reports what the kernel opened, not what the name suggests — a hard
 * link to a credentials file under a harmless name, a jar's name or in an excluded directory; a
 * symlink (file or directory) swapped between two opens of the same string; a name no Path can hold
 * (an unpaired surrogate; non-ASCII under {@code LANG=C}). The credentials file is a real one of
 * the sensitive list: {@code ~/.aws/credentials} under a home the test makes ({@code -Duser.home}),
 * so the hard links are to a file the test user owns (fs.protected_hardlinks).
 */
class WhatWasOpenedIT {
  private static final String APP = "dev.tripline.testapp.OpenedApp";

  @OnEveryJdk
  void aHardLinkIsReportedAsTheSensitiveFileItIs(Path java, @TempDir Path work) throws Exception {
    Path home = work.resolve("home");
    Path credentials = credentials(home);
    Path links = Files.createDirectories(work.resolve("links"));
    AgentRun run =
        AgentRun.testApp(
                java,
                work.resolve("run"),
                APP,
                List.of(
                    "-Duser.home=" + home,
                    "-Dtripline.exclude.paths=" + links.toRealPath() + "/excluded/"),
                "links",
                links.toString(),
                credentials.toString())
            .assertFinished("OPENED DONE");
    String linksReal = links.toRealPath().toString();
    String same = credentials.toRealPath().toString();
    for (String name : List.of("notes.txt", "lib.jar", "excluded/a.txt", "nio.txt")) {
      assertTrue(run.output.contains("READ SECRET " + links + "/" + name), run::toString);
      List<Map<String, Object>> reads = readsOf(run, linksReal + "/" + name);
      assertEquals(1, reads.size(), name + ": one read event, never dropped by its name\n" + run);
      Map<String, Object> read = reads.get(0);
      assertEquals(same, read.get("sameFileAs"), name + " is the credentials file\n" + run);
      assertTrue((Long) read.get("links") >= 2, name + ": its link count\n" + read);
    }
  }

  /** The same for a socket: a hard link to a sensitive socket (docker.sock) is that socket. */
  @OnEveryJdk
  void aHardLinkToASensitiveSocketIsReportedAsThatSocket(Path java, @TempDir Path work)
      throws Exception {
    Path runDir = Files.createDirectories(work.resolve("var-run"));
    Path sensitive = runDir.toRealPath().resolve("docker.sock");
    Path links = Files.createDirectories(work.resolve("links"));
    AgentRun run =
        AgentRun.testApp(
                java,
                work.resolve("run"),
                APP,
                List.of("-Dtripline.sensitive.paths=" + sensitive),
                "socket",
                links.toString(),
                sensitive.toString())
            .assertFinished("OPENED DONE");
    assertTrue(
        run.output.contains("CONNECTED THROUGH " + links + "/innocent.sock true"), run::toString);
    String link = links.toRealPath() + "/innocent.sock";
    List<Map<String, Object>> connects =
        run.ofKind("NET_CONNECT").stream()
            .filter(e -> link.equals(e.get("path")))
            .collect(Collectors.toList());
    assertEquals(1, connects.size(), "one connect through the link\n" + run);
    assertEquals(
        sensitive.toString(),
        connects.get(0).get("sameFileAs"),
        "the link is the sensitive socket\n" + run);
  }

  @OnEveryJdk
  void aPathSwappedAfterItsFirstOpenIsJudgedOnWhatItOpensNow(Path java, @TempDir Path work)
      throws Exception {
    Path credentials = credentials(work.resolve("home"));
    Path dir = Files.createDirectories(work.resolve("swap-work"));
    AgentRun run =
        AgentRun.testApp(
                java,
                work.resolve("run"),
                APP,
                List.of("-Duser.home=" + work.resolve("home")),
                "swap",
                dir.toString(),
                credentials.toString())
            .assertFinished("OPENED DONE");
    String real = dir.toRealPath().toString();
    String secret = credentials.toRealPath().toString();
    for (String given :
        List.of(
            real + "/swap/link",
            real + "/swap/dir/conf.txt",
            real + "/swap/plain.txt",
            real + "/swap/nio-link")) {
      assertTrue(
          run.output.contains("READ OTHER " + given) && run.output.contains("READ SECRET " + given),
          "the app read the harmless file, then the secret, through " + given + "\n" + run);
      List<Map<String, Object>> reads = readsOf(run, given);
      assertEquals(2, reads.size(), given + ": the first open and the swapped one\n" + run);
      assertTrue(
          reads.stream()
              .anyMatch(
                  e -> secret.equals(e.get("realPath")) || secret.equals(e.get("sameFileAs"))),
          given + ": the second open is reported as the secret it opened\n" + reads);
      assertTrue(
          reads.stream()
              .anyMatch(e -> !secret.equals(e.get("realPath")) && e.get("sameFileAs") == null),
          given + ": the first open as the harmless file\n" + reads);
    }
  }

  @OnEveryJdk
  void aNameNoPathCanHoldIsResolvedTheWayTheJdkOpensIt(Path java, @TempDir Path work)
      throws Exception {
    Path credentials = credentials(work.resolve("home"));
    // an unpaired surrogate in a UTF-8 locale; an é where the platform encoding is ASCII (LANG=C)
    String[][] cases = {{"C.UTF-8", "y\\ud800"}, {"C", "x\\u00e9"}};
    for (String[] c : cases) {
      Path dir = Files.createDirectories(work.resolve("names-" + c[0]));
      List<Map<String, Object>> events =
          runWithLocale(java, work.resolve("run-" + c[0]), c[0], dir, credentials, c[1]);
      String secret = credentials.toRealPath().toString();
      String dirReal = dir.toRealPath().toString();
      List<Map<String, Object>> reads =
          events.stream()
              .filter(e -> "FILE_READ".equals(e.get("kind")))
              .filter(e -> String.valueOf(e.get("path")).startsWith(dirReal + "/"))
              .collect(Collectors.toList());
      assertEquals(1, reads.size(), c[0] + ": one read through the link\n" + events);
      assertEquals(
          secret,
          reads.get(0).get("realPath"),
          c[0] + ": resolved through the JDK's own route, not skipped\n" + reads);
    }
  }

  private List<Map<String, Object>> runWithLocale(
      Path java, Path run, String locale, Path dir, Path secret, String name)
      throws IOException, InterruptedException {
    Files.createDirectories(run);
    Path events = run.resolve("events.jsonl");
    List<String> props =
        new ArrayList<>(
            List.of(
                "-Dtripline.sink=jsonl:" + events,
                "-Dtripline.flush.interval=500ms",
                "-Duser.home=" + secret.getParent().getParent()));
    ProcessBuilder pb =
        new ProcessBuilder(
                AgentRun.command(
                    java,
                    props,
                    AgentRun.testAppJar().toAbsolutePath().toString(),
                    APP,
                    "unmappable",
                    dir.toString(),
                    secret.toString(),
                    name))
            .redirectErrorStream(true)
            .redirectOutput(run.resolve("stdout.txt").toFile());
    pb.environment().remove("LANG");
    pb.environment().put("LC_ALL", locale);
    Process p = pb.start();
    if (!p.waitFor(Patience.FORKED_RUN.toSeconds(), TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(
          "forked JVM did not finish in " + Patience.FORKED_RUN.toSeconds() + " s");
    }
    String out = Files.readString(run.resolve("stdout.txt"));
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("READ SECRET "), "the JDK opened the link's target:\n" + out);
    assertFalse(
        locale.equals("C") && !out.contains("sun.jnu.encoding=ANSI_X3.4-1968"),
        "LANG=C makes the platform encoding ASCII:\n" + out);
    assertTrue(Files.exists(events), "the agent wrote its events:\n" + out);
    return Files.readAllLines(events, StandardCharsets.UTF_8).stream()
        .filter(l -> !l.isBlank())
        .map(MiniJson::object)
        .collect(Collectors.toList());
  }

  /** {@code <home>/.aws/credentials}: on the agent's sensitive list, owned by the test user. */
  private static Path credentials(Path home) throws IOException {
    Path aws = Files.createDirectories(home.resolve(".aws"));
    return Files.writeString(aws.resolve("credentials"), "[default]\naws_secret_access_key=x\n");
  }

  private static List<Map<String, Object>> readsOf(AgentRun run, String path) {
    return run.ofKind("FILE_READ").stream()
        .filter(e -> path.equals(e.get("path")))
        .collect(Collectors.toList());
  }
}

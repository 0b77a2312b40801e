package dev.tripline.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.kafka.Patience;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** A forked JVM running a test application with the real agent jar attached. */
public final class AgentRun {
  public final int exitCode;
  public final String output;
  public final List<Map<String, Object>> events;

  private AgentRun(int exitCode, String output, List<Map<String, Object>> events) {
    this.exitCode = exitCode;
    this.output = output;
    this.events = events;
  }

  public static Path agentJar() {
    return Path.of(System.getProperty("tripline.agent.jar", "target/tripline-agent.jar"));
  }

  public static Path testAppJar() {
    return Path.of(System.getProperty("tripline.testapp.jar", "target/testapp.jar"));
  }

  /** Runs a main class of the test application ({@link #testAppJar()}): see {@link #run}. */
  public static AgentRun testApp(
      Path java, Path work, String mainClass, List<String> agentProps, String... args)
      throws IOException, InterruptedException {
    return run(java, work, testAppJar().toString(), mainClass, agentProps, args);
  }

  /**
   * Runs {@code mainClass} on {@code java} with the agent writing JSON lines to {@code
   * work/events.jsonl}.
   */
  public static AgentRun run(
      Path java,
      Path work,
      String classpath,
      String mainClass,
      List<String> agentProps,
      String... args)
      throws IOException, InterruptedException {
    Files.createDirectories(work);
    Path events = work.resolve("events.jsonl");
    Files.deleteIfExists(events);
    List<String> props =
        new ArrayList<>(
            List.of("-Dtripline.sink=jsonl:" + events, "-Dtripline.flush.interval=500ms"));
    props.addAll(agentProps);
    Path out = work.resolve("stdout.txt");
    Process p =
        new ProcessBuilder(command(java, props, classpath, mainClass, args))
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    if (!p.waitFor(Patience.FORKED_RUN.toSeconds(), TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(
          "forked JVM did not finish in "
              + Patience.FORKED_RUN.toSeconds()
              + " s: "
              + Files.readString(out));
    }
    List<Map<String, Object>> parsed =
        Files.exists(events)
            ? Files.readAllLines(events, StandardCharsets.UTF_8).stream()
                .filter(l -> !l.isBlank())
                .map(MiniJson::object)
                .collect(Collectors.toList())
            : List.of();
    return new AgentRun(p.exitValue(), Files.readString(out), parsed);
  }

  /**
   * The command line of a JVM on {@code java} with the real agent attached, running {@code
   * mainClass}.
   */
  static List<String> command(
      Path java, List<String> agentProps, String classpath, String mainClass, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(java.toString());
    cmd.add("-javaagent:" + agentJar().toAbsolutePath());
    cmd.addAll(agentProps);
    cmd.addAll(List.of("-cp", classpath, mainClass));
    cmd.addAll(List.of(args));
    return cmd;
  }

  /**
   * Asserts that the application exited normally after printing {@code doneLine}; returns this run.
   */
  public AgentRun assertFinished(String doneLine) {
    assertEquals(0, exitCode, this::toString);
    assertTrue(output.contains(doneLine), this::toString);
    return this;
  }

  /** Events of one kind. */
  public List<Map<String, Object>> ofKind(String kind) {
    return events.stream().filter(e -> kind.equals(e.get("kind"))).collect(Collectors.toList());
  }

  /** The addresses connected to whose text starts with {@code prefix} ("127.0.9."), sorted. */
  public SortedSet<String> connectedTo(String prefix) {
    SortedSet<String> reached = new TreeSet<>();
    for (Map<String, Object> e : ofKind("NET_CONNECT")) {
      String ip = String.valueOf(e.get("ip"));
      if (ip.startsWith(prefix)) {
        reached.add(ip);
      }
    }
    return reached;
  }

  /** {@code prefix + 1} … {@code prefix + count}, sorted as {@link #connectedTo} is. */
  public static SortedSet<String> addresses(String prefix, int count) {
    SortedSet<String> all = new TreeSet<>();
    for (int i = 1; i <= count; i++) {
      all.add(prefix + i);
    }
    return all;
  }

  @SuppressWarnings("unchecked")
  public static Map<String, Object> callSite(Map<String, Object> event) {
    return (Map<String, Object>) event.get("callSite");
  }

  @Override
  public String toString() {
    return "exit "
        + exitCode
        + "\n--- output ---\n"
        + output
        + "\n--- events ---\n"
        + events.stream().map(Object::toString).collect(Collectors.joining("\n"));
  }
}

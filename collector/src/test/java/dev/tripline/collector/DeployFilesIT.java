package dev.tripline.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.agent.config.AgentConfig;
import dev.tripline.collector.config.CollectorKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every jar, setting, environment variable and command the deploy/ files name exists in this build.
 */
class DeployFilesIT {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path DEPLOY = ROOT.resolve("deploy");

  /**
   * Variables that are not settings: the agent image's copy target, the image name, the downward
   * API.
   */
  private static final Set<String> NOT_SETTINGS = Set.of("TRIPLINE_AGENT_TARGET", "TRIPLINE_IMAGE");

  static List<Path> files() throws IOException {
    try (Stream<Path> s = Files.walk(DEPLOY)) {
      return s.filter(Files::isRegularFile).collect(Collectors.toList());
    }
  }

  @Test
  void jarPathsExist() throws IOException {
    Pattern jar = Pattern.compile("/src/((?:agent|collector|demo-service)/target/[\\w.-]+\\.jar)");
    List<String> named = new ArrayList<>();
    for (Path f : files()) {
      Matcher m = jar.matcher(Files.readString(f));
      while (m.find()) named.add(m.group(1));
    }
    assertTrue(named.size() >= 4, "the Dockerfiles copy the built jars: " + named);
    for (String path : named) {
      assertTrue(Files.isRegularFile(ROOT.resolve(path)), path + " is built by ./mvnw install");
    }
  }

  /** Which program reads the environment at this place in a deploy file. */
  enum Reader {
    AGENT,
    COLLECTOR,
    EITHER
  }

  static Reader reader(Path file, String text, int offset) {
    String path = DEPLOY.relativize(file).toString().replace('\\', '/');
    if (path.startsWith("kubernetes/agent-injection/")) return Reader.AGENT;
    if (path.startsWith("kubernetes/collector/") || path.equals("docker/collector.Dockerfile"))
      return Reader.COLLECTOR;
    if (path.equals("compose/compose.yaml")) {
      // The service block around the variable: the one with -javaagent is an agent's, the one built
      // from collector.Dockerfile the collector's.
      Matcher service = Pattern.compile("(?m)^  [\\w-]+:\\s*$").matcher(text);
      int start = -1;
      int end = text.length();
      while (service.find()) {
        if (service.start() <= offset) {
          start = service.start();
        } else {
          end = service.start();
          break;
        }
      }
      String block = start < 0 ? "" : text.substring(start, end);
      if (block.contains("-javaagent:")) return Reader.AGENT;
      if (block.contains("collector.Dockerfile")) return Reader.COLLECTOR;
    }
    return Reader.EITHER;
  }

  @Test
  void everyTriplineVariableIsASettingOfTheProgramThatReadsIt() throws IOException {
    Pattern env = Pattern.compile("\\b(TRIPLINE_[A-Z0-9_]+)\\b");
    int agentVars = 0;
    int collectorVars = 0;
    for (Path f : files()) {
      String text = Files.readString(f);
      Matcher m = env.matcher(text);
      while (m.find()) {
        String var = m.group(1);
        if (NOT_SETTINGS.contains(var)) continue;
        boolean agent = AgentConfig.ownsEnvironmentVariable(var);
        boolean collector = CollectorKeys.TABLE.keyOf(var) != null;
        Reader reader = reader(f, text, m.start());
        switch (reader) {
          case AGENT ->
              assertTrue(agent, f + " gives the agent " + var + ", which is none of its keys");
          case COLLECTOR ->
              assertTrue(
                  collector, f + " gives the collector " + var + ", which is none of its keys");
          default ->
              assertTrue(
                  agent || collector, f + " names " + var + ", which no Tripline setting reads");
        }
        if (reader == Reader.AGENT) agentVars++;
        if (reader == Reader.COLLECTOR) collectorVars++;
      }
    }
    assertTrue(
        agentVars >= 8 && collectorVars >= 8,
        "checked " + agentVars + " agent and " + collectorVars + " collector variables");
  }

  @Test
  void collectorPropertiesUseOnlyKnownKeys() throws IOException {
    String configMap = Files.readString(DEPLOY.resolve("kubernetes/collector/configmap.yaml"));
    Matcher m = Pattern.compile("(?m)^\\s{4}([a-z][\\w.]+)=").matcher(configMap);
    int keys = 0;
    while (m.find()) {
      String key = m.group(1);
      assertTrue(CollectorKeys.TABLE.isKnown(key), "unknown collector key " + key);
      keys++;
    }
    assertTrue(keys >= 10, "read " + keys + " keys");
  }

  @Test
  void collectorCommandLinesParse() throws IOException {
    // The collector's arguments in compose (command:), Kubernetes (args:) and the Dockerfile (CMD).
    Pattern args = Pattern.compile("(?m)^\\s*(?:args:|command:|CMD)\\s*(\\[[^\\]]*\\])");
    List<Path> collectorFiles =
        List.of(
            DEPLOY.resolve("compose/compose.yaml"),
            DEPLOY.resolve("kubernetes/collector/deployment.yaml"),
            DEPLOY.resolve("docker/collector.Dockerfile"));
    int parsed = 0;
    for (Path f : collectorFiles) {
      Matcher m = args.matcher(Files.readString(f));
      while (m.find()) {
        List<String> argv =
            Pattern.compile("\"([^\"]*)\"")
                .matcher(m.group(1))
                .results()
                .map(r -> r.group(1))
                .toList();
        if (argv.isEmpty() || !List.of("run", "demo", "alerts", "profile").contains(argv.get(0)))
          continue; // not the collector
        CommandLine.ParseResult r =
            new CommandLine(new Main()).parseArgs(argv.toArray(String[]::new));
        assertEquals(argv.get(0), r.subcommand().commandSpec().name(), f + " " + argv);
        parsed++;
      }
    }
    assertTrue(parsed >= 3, "parsed " + parsed + " collector command lines");
  }

  @Test
  void downwardApiVariablesAreReadByTheAgent() throws IOException {
    String injection =
        Files.readString(DEPLOY.resolve("kubernetes/agent-injection/deployment-patch.yaml"));
    String resolver =
        Files.readString(
            ROOT.resolve("agent/src/main/java/dev/tripline/agent/identity/IdentityResolver.java"));
    for (String var : List.of("POD_NAME", "POD_NAMESPACE", "NODE_NAME")) {
      assertTrue(injection.contains("name: " + var) && resolver.contains("\"" + var + "\""), var);
    }
    assertTrue(injection.contains("-javaagent:/tripline/tripline-agent.jar"));
  }
}

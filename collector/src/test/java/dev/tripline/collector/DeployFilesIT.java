package dev.tripline.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.agent.config.AgentConfig;
import dev.tripline.collector.config.CollectorConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every jar, setting, environment variable and command the deploy/ files name exists in this build. */
class DeployFilesIT {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path DEPLOY = ROOT.resolve("deploy");
  /** Variables that are not settings: the agent image's copy target, the image name, the downward API. */
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

  @Test
  void everyTriplineVariableIsASetting() throws IOException {
    Pattern env = Pattern.compile("\\b(TRIPLINE_[A-Z0-9_]+)\\b");
    int checked = 0;
    for (Path f : files()) {
      Matcher m = env.matcher(Files.readString(f));
      while (m.find()) {
        String var = m.group(1);
        if (NOT_SETTINGS.contains(var)) continue;
        String key = var.substring("TRIPLINE_".length()).toLowerCase(Locale.ROOT).replace('_', '.');
        boolean agent = AgentConfig.knownKeys().contains(key) || key.startsWith("kafka.");
        boolean collector = CollectorConfig.KEYS.containsKey(key) || key.startsWith("kafka.");
        assertTrue(agent || collector, f + " names " + var + ", which no Tripline setting reads");
        checked++;
      }
    }
    assertTrue(checked >= 10, "checked " + checked);
  }

  @Test
  void collectorPropertiesUseOnlyKnownKeys() throws IOException {
    String configMap = Files.readString(DEPLOY.resolve("kubernetes/collector/configmap.yaml"));
    Matcher m = Pattern.compile("(?m)^\\s{4}([a-z][\\w.]+)=").matcher(configMap);
    int keys = 0;
    while (m.find()) {
      String key = m.group(1);
      assertTrue(CollectorConfig.KEYS.containsKey(key) || key.startsWith("kafka."), "unknown collector key " + key);
      keys++;
    }
    assertTrue(keys >= 10, "read " + keys + " keys");
  }

  @Test
  void collectorCommandLinesParse() throws IOException {
    // The collector's arguments in compose (command:), Kubernetes (args:) and the Dockerfile (CMD).
    Pattern args = Pattern.compile("(?m)^\\s*(?:args:|command:|CMD)\\s*(\\[[^\\]]*\\])");
    List<Path> collectorFiles = List.of(DEPLOY.resolve("compose/compose.yaml"), DEPLOY.resolve("kubernetes/collector/deployment.yaml"),
        DEPLOY.resolve("docker/collector.Dockerfile"));
    int parsed = 0;
    for (Path f : collectorFiles) {
      Matcher m = args.matcher(Files.readString(f));
      while (m.find()) {
        List<String> argv = Pattern.compile("\"([^\"]*)\"").matcher(m.group(1)).results().map(r -> r.group(1)).toList();
        if (argv.isEmpty() || !List.of("run", "demo", "alerts", "profile").contains(argv.get(0))) continue; // not the collector
        CommandLine.ParseResult r = new CommandLine(new Main()).parseArgs(argv.toArray(String[]::new));
        assertEquals(argv.get(0), r.subcommand().commandSpec().name(), f + " " + argv);
        parsed++;
      }
    }
    assertTrue(parsed >= 3, "parsed " + parsed + " collector command lines");
  }

  @Test
  void downwardApiVariablesAreReadByTheAgent() throws IOException {
    String injection = Files.readString(DEPLOY.resolve("kubernetes/agent-injection/deployment-patch.yaml"));
    String resolver = Files.readString(ROOT.resolve("agent/src/main/java/dev/tripline/agent/identity/IdentityResolver.java"));
    for (String var : List.of("POD_NAME", "POD_NAMESPACE", "NODE_NAME")) {
      assertTrue(injection.contains("name: " + var) && resolver.contains("\"" + var + "\""), var);
    }
    assertTrue(injection.contains("-javaagent:/tripline/tripline-agent.jar"));
  }
}

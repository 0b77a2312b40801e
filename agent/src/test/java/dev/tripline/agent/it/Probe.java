package dev.tripline.agent.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link dev.tripline.testapp.ProbeApp} with the real agent and a chosen environment, reading
 * {@link #read} until stopped.
 */
final class Probe extends ForkedApp {
  final Path read;

  private Probe(Path java, Path dir, Path read, List<String> agentProps, Map<String, String> env)
      throws IOException {
    super(
        java,
        dir,
        agentProps,
        env,
        "dev.tripline.testapp.ProbeApp",
        read.toString(),
        dir.resolve("stop").toString());
    this.read = read;
  }

  static Probe start(Path java, Path dir, List<String> agentProps, Map<String, String> env)
      throws IOException {
    Files.createDirectories(dir);
    Path read = Files.writeString(dir.resolve("settings.txt"), "read by the probe");
    return new Probe(java, dir, read, agentProps, env);
  }

  static long mbean(String out, String attribute) {
    Matcher m = Pattern.compile("MBEAN " + Pattern.quote(attribute) + "=(\\d+)").matcher(out);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  static int count(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) n++;
    return n;
  }
}

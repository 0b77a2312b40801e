package dev.tripline.collector.detect;

import dev.tripline.model.Event;
import dev.tripline.model.MitreTechnique;
import dev.tripline.model.Severity;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Behaviour that is bad whatever a service's profile says: a JVM spawning a shell, reading
 * credentials, calling the cloud metadata endpoint, an LDAP/RMI callback. Built-in rules ship in
 * {@code known-bad.rules}; users add their own file in the same format.
 */
public final class KnownBadRules {

  /** One rule. */
  public record Rule(String id, String match, List<Pattern> patterns, Severity severity, MitreTechnique mitre, String title) {
    boolean matches(String value) {
      for (Pattern p : patterns) {
        if (p.matcher(value).matches()) {
          return true;
        }
      }
      return false;
    }
  }

  private final List<Rule> rules;

  private KnownBadRules(List<Rule> rules) {
    this.rules = List.copyOf(rules);
  }

  /** The built-in rules plus, when given, the user's file. */
  public static KnownBadRules load(String userFile) {
    List<Rule> rules = new ArrayList<>();
    try (InputStream in = KnownBadRules.class.getResourceAsStream("/known-bad.rules")) {
      rules.addAll(parse(new InputStreamReader(in, StandardCharsets.UTF_8), "built-in"));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the built-in rules", e);
    }
    if (userFile != null && !userFile.isBlank()) {
      try (Reader r = Files.newBufferedReader(Path.of(userFile))) {
        rules.addAll(parse(r, userFile));
      } catch (IOException e) {
        throw new IllegalArgumentException("configuration key 'rules.file': cannot read " + userFile + ": " + e.getMessage());
      }
    }
    return new KnownBadRules(rules);
  }

  static List<Rule> parse(Reader reader, String source) throws IOException {
    List<Rule> out = new ArrayList<>();
    BufferedReader r = new BufferedReader(reader);
    int lineNo = 0;
    for (String line; (line = r.readLine()) != null; ) {
      lineNo++;
      String t = line.trim();
      if (t.isEmpty() || t.startsWith("#")) {
        continue;
      }
      String[] f = t.split("\\|");
      if (f.length != 6) {
        throw new IllegalArgumentException(source + ":" + lineNo + ": expected 6 fields separated by |, found " + f.length);
      }
      String match = f[1].trim();
      if (!List.of("exec", "path", "host", "port").contains(match)) {
        throw new IllegalArgumentException(source + ":" + lineNo + ": match must be exec, path, host or port, not '" + match + "'");
      }
      List<Pattern> patterns = new ArrayList<>();
      for (String p : f[2].split(",")) {
        patterns.add(glob(p.trim()));
      }
      Severity severity;
      try {
        severity = Severity.valueOf(f[3].trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(source + ":" + lineNo + ": unknown severity '" + f[3].trim() + "'");
      }
      out.add(new Rule(f[0].trim(), match, patterns, severity, Mitre.byId(f[4].trim()), f[5].trim()));
    }
    return out;
  }

  /** The first rule this event breaks, if any. */
  public Optional<Rule> match(Event e) {
    for (Rule rule : rules) {
      for (String value : values(rule.match(), e)) {
        if (rule.matches(value)) {
          return Optional.of(rule);
        }
      }
    }
    return Optional.empty();
  }

  private static List<String> values(String match, Event e) {
    switch (match) {
      case "exec":
        if (!e.hasProcess()) return List.of();
        String exe = e.getProcess().getExecutable();
        return List.of(exe.substring(exe.lastIndexOf('/') + 1));
      case "path":
        if (!e.hasFile()) return List.of();
        return e.getFile().getNewPath().isEmpty() ? List.of(e.getFile().getPath())
            : List.of(e.getFile().getPath(), e.getFile().getNewPath());
      case "host":
        if (e.hasNetwork()) return List.of(e.getNetwork().getHost().toLowerCase(Locale.ROOT), e.getNetwork().getIp());
        if (e.hasDns()) return List.of(e.getDns().getQuery().toLowerCase(Locale.ROOT));
        return List.of();
      case "port":
        boolean outbound = e.hasNetwork() && (e.getKind().name().equals("NET_CONNECT") || e.getKind().name().equals("DATAGRAM"));
        return outbound ? List.of(Integer.toString(e.getNetwork().getPort())) : List.of();
      default:
        return List.of();
    }
  }

  private static Pattern glob(String g) {
    StringBuilder re = new StringBuilder();
    for (String part : g.split("\\*", -1)) {
      if (re.length() > 0) re.append(".*");
      re.append(Pattern.quote(part));
    }
    return Pattern.compile(re.toString());
  }

  public int size() {
    return rules.size();
  }
}

package dev.tripline.model.judge;

import dev.tripline.model.Event;
import dev.tripline.model.ProcessTarget;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * How the known-bad rules read a command line. A launcher runs another program named among its
 * arguments ({@code env sh -c}, {@code busybox sh}, {@code /lib64/ld-linux-x86-64.so.2 /bin/sh},
 * {@code nohup}, {@code timeout 5 nc}): the programs it names are judged as if spawned directly. An
 * interpreter given its program inline ({@code python3 -c}, {@code perl -e}, {@code node -e},
 * {@code php -r}) or on its standard input is a shell by another name.
 */
final class Commands {
  private Commands() {}

  /** Arguments read per command: argv is capped by the agent, but a rule's work must be too. */
  static final int MAX_ARGS = 32;

  private static final Pattern LAUNCHER =
      Pattern.compile(
          "env|busybox|toybox|ld-linux.*|ld-musl.*|ld\\.so.*|ld64\\.so.*|ld-.*\\.so.*|nohup|setsid"
              + "|stdbuf|timeout|nice|ionice|chrt|taskset|xargs|sudo|doas|su|runuser|chroot"
              + "|unshare|nsenter|flock|script|strace|ltrace|time|watch|exec|command|setarch"
              + "|linux32|linux64|capsh|setpriv|prlimit|numactl|cgexec|firejail|proot|tini"
              + "|dumb-init");

  private static final java.util.Set<String> MULTI_CALL = java.util.Set.of("busybox", "toybox");

  private static final Pattern ENV_ASSIGNMENT = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*=.*");

  /** A script named on the command line ends the interpreter's own options. */
  private static final Pattern SCRIPT =
      Pattern.compile(".*\\.(py|pyc|pyz|pl|pm|rb|js|mjs|cjs|ts|php|phar|lua)");

  static String baseName(String path) {
    String p = path.trim();
    return p.substring(p.lastIndexOf('/') + 1);
  }

  /**
   * The executable's base name, what the agent found its file to be ({@code same_as}, the real
   * path's base name) and, when one of these is a launcher, the base names of the programs it is
   * told to run (every argument that is neither an option nor a {@code NAME=value}; of an argument
   * with spaces, as {@code env -S "sh -c …"} takes, the first word).
   */
  static List<String> programs(ProcessTarget p) {
    List<String> out = new ArrayList<>(4);
    out.add(baseName(p.getExecutable()));
    // What the agent found the file to be: a copy or link of /bin/sh named kworker is "sh", and
    // /proc/self/exe or a link is its real file.
    addIfNew(out, p.getSameAs().trim());
    String real = p.getRealPath().isEmpty() ? "" : baseName(p.getRealPath());
    // busybox and toybox run the applet argv[0] names (on Alpine /bin/ls is busybox): not their own
    if (!MULTI_CALL.contains(real)) addIfNew(out, real);
    boolean launcher = false;
    for (String name : out) {
      launcher |= LAUNCHER.matcher(name.toLowerCase(Locale.ROOT)).matches();
    }
    if (!launcher) return out;
    List<String> argv = p.getArgvList();
    for (int i = 1; i < argv.size() && i <= MAX_ARGS; i++) {
      String a = argv.get(i).trim();
      if (a.isEmpty() || a.startsWith("-") || ENV_ASSIGNMENT.matcher(a).matches()) continue;
      int space = a.indexOf(' ');
      addIfNew(out, baseName(space < 0 ? a : a.substring(0, space)));
    }
    return out;
  }

  private static void addIfNew(List<String> names, String name) {
    if (!name.isEmpty() && !names.contains(name)) names.add(name);
  }

  /**
   * True when the command gives an interpreter its program inline: an option of {@code options}
   * before the first script argument — a one-letter entry as a short option, alone or in a cluster
   * ({@code -c}, {@code -Ic}, {@code -cprint(1)}), a longer one as a glob on the whole argument
   * ({@code --eval*}) — or no argument at all / a lone {@code -} (the program comes from standard
   * input, which the JVM writes).
   */
  static boolean inlineCode(Event e, List<String> options) {
    if (!e.hasProcess()) return false;
    List<String> argv = e.getProcess().getArgvList();
    if (argv.size() <= 1) return true;
    for (int i = 1; i < argv.size() && i <= MAX_ARGS; i++) {
      String a = argv.get(i).trim();
      if (a.equals("-")) return true;
      if (a.equals("--") || SCRIPT.matcher(a.toLowerCase(Locale.ROOT)).matches()) return false;
      if (!a.startsWith("-")) continue; // an option's value ("-W ignore"): keep reading
      for (String o : options) {
        if (o.length() == 1 ? shortOption(a, o.charAt(0)) : glob(o, a)) return true;
      }
    }
    return false;
  }

  /**
   * {@code -c}, {@code -cCODE}, or a short cluster holding the letter ({@code -Ic}, {@code -ne}).
   */
  private static boolean shortOption(String arg, char letter) {
    if (arg.length() < 2 || arg.charAt(1) == '-') return false;
    return arg.charAt(1) == letter || (arg.length() <= 6 && arg.indexOf(letter, 1) > 0);
  }

  private static boolean glob(String glob, String value) {
    StringBuilder re = new StringBuilder();
    for (String part : glob.split("\\*", -1)) {
      if (re.length() > 0) re.append(".*");
      re.append(Pattern.quote(part));
    }
    return value.matches(re.toString());
  }
}

package dev.tripline.agent.instrument;

import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Reads what the JDK hands its natives: NUL-terminated byte strings (a process's program and
 * argument block, as {@code ProcessImpl}'s constructor takes them). Called only for a probe that
 * reports (called directly, not under a hooked Java method), never on a repeat's path.
 */
final class NativeStrings {
  /** Arguments decoded from one argument block at most (the recorder caps again). */
  private static final int MAX_ARGS = 1024;

  /** Environment entries decoded from one block at most. */
  private static final int MAX_ENV = 4096;

  private NativeStrings() {}

  /**
   * {@code forkAndExec}'s program (NUL-terminated) and argument block ({@code argc} NUL-terminated
   * arguments after the program) as one argv.
   */
  static String[] argv(byte[] prog, byte[] argBlock, int argc) {
    List<String> out = new ArrayList<>();
    out.add(prog == null ? "" : until0(prog, 0));
    if (argBlock != null) {
      int from = 0;
      for (int i = 0; i < argc && i < MAX_ARGS && from < argBlock.length; i++) {
        String arg = until0(argBlock, from);
        out.add(arg);
        from = end(argBlock, from) + 1;
      }
    }
    return out.toArray(new String[0]);
  }

  /**
   * {@code forkAndExec}'s environment block ({@code envc} NUL-terminated "NAME=value" entries) as a
   * map; empty for a null block (the child inherits the JVM's environment). An entry without '='
   * sets nothing and is skipped.
   */
  static Map<String, String> environment(byte[] block, int envc) {
    Map<String, String> out = new HashMap<>();
    if (block == null) {
      return out;
    }
    int from = 0;
    for (int i = 0; i < envc && i < MAX_ENV && from < block.length; i++) {
      String entry = until0(block, from);
      int eq = entry.indexOf('=');
      if (eq > 0) {
        // a name given twice: getenv() finds the first, the dynamic loader takes the last; both
        // are kept (space-separated, as LD_PRELOAD's list), so neither can hide behind the other
        out.merge(entry.substring(0, eq), entry.substring(eq + 1), (x, y) -> x + " " + y);
      }
      from = end(block, from) + 1;
    }
    return out;
  }

  /** A NUL-terminated string ({@code forkAndExec}'s working directory), or null. */
  static @Nullable String string(byte @Nullable [] b) {
    return b == null ? null : until0(b, 0);
  }

  private static String until0(byte[] b, int from) {
    return new String(b, from, end(b, from) - from, jnu());
  }

  private static int end(byte[] b, int from) {
    int i = from;
    while (i < b.length && b[i] != 0) {
      i++;
    }
    return i;
  }

  private static Charset jnu() {
    try {
      return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
    } catch (RuntimeException e) {
      return Charset.defaultCharset();
    }
  }
}

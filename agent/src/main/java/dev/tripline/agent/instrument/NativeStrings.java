package dev.tripline.agent.instrument;

import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads what the JDK hands its natives: NUL-terminated byte strings (a process's program and
 * argument block, as {@code ProcessImpl}'s constructor takes them). Called only for a probe that
 * reports (called directly, not under a hooked Java method), never on a repeat's path.
 */
final class NativeStrings {
  /** Arguments decoded from one argument block at most (the recorder caps again). */
  private static final int MAX_ARGS = 1024;

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

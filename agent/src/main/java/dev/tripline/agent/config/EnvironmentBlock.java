package dev.tripline.agent.config;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.Charset;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The environment variables premain reads, from the process's environment block ({@code
 * /proc/self/environ}) rather than {@code System.getenv()}. The JDK's environment class ({@code
 * ProcessEnvironment}, and from it {@code ProcessImpl} on JDK 25) carries hooks: initialised in
 * premain, before the hooks are woven, both must then be retransformed — a redefinition the JVM
 * verifies whole, ~9 ms of the application's start-up on JDK 25 (docs/benchmarks.md); loaded later
 * by anyone, they are woven as they load.
 *
 * <p>The block holds what the process was started with, as {@code System.getenv()} does for a
 * program started by {@code exec} (every JVM launched by {@code java}); a variable a native
 * launcher set in its own process before creating the JVM is not in it. The JDK's rules are kept:
 * an entry without {@code =} is skipped, the others split at their first {@code =}, the first of a
 * name given twice wins, names and values decoded with {@code sun.jnu.encoding}. Where the block
 * cannot be read (no {@code /proc}), or is larger than {@link #MAX_BYTES}, {@code System.getenv()}
 * answers.
 */
final class EnvironmentBlock {
  static final String PATH = "/proc/self/environ";

  /** Linux caps a new program's arguments and environment together at a quarter of its stack. */
  static final int MAX_BYTES = 4 << 20;

  private EnvironmentBlock() {}

  /** The variables whose names start with {@code prefix} (all of them for ""). */
  static Map<String, String> withPrefix(String prefix) {
    byte[] block = read(PATH);
    if (block == null) {
      return System.getenv();
    }
    return parse(block, prefix, jnuCharset());
  }

  static byte @Nullable [] read(String path) {
    try (FileInputStream in = new FileInputStream(path)) {
      byte[] block = in.readNBytes(MAX_BYTES + 1);
      return block.length > MAX_BYTES ? null : block;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** {@code block}'s NUL-terminated entries whose names start with {@code prefix}. */
  static Map<String, String> parse(byte[] block, String prefix, Charset charset) {
    byte[] want = prefix.getBytes(charset);
    Map<String, String> out = new HashMap<>();
    int start = 0;
    while (start < block.length) {
      int end = start;
      while (end < block.length && block[end] != 0) {
        end++;
      }
      int eq = -1;
      for (int i = start; i < end; i++) { // the first '=', as the JDK splits
        if (block[i] == '=') {
          eq = i;
          break;
        }
      }
      if (eq >= 0 && startsWith(block, start, eq, want)) {
        String name = new String(block, start, eq - start, charset);
        if (!out.containsKey(name)) { // the JDK keeps the first of a name given twice
          out.put(name, new String(block, eq + 1, end - eq - 1, charset));
        }
      }
      start = end + 1;
    }
    return out;
  }

  private static boolean startsWith(byte[] block, int from, int to, byte[] prefix) {
    if (to - from < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (block[from + i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static Charset jnuCharset() {
    String name = System.getProperty("sun.jnu.encoding");
    try {
      return name == null ? Charset.defaultCharset() : Charset.forName(name);
    } catch (RuntimeException e) {
      return Charset.defaultCharset();
    }
  }
}

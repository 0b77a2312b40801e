package dev.tripline.agent.record;

import dev.tripline.agent.health.AgentStats;
import dev.tripline.model.CallSite;
import dev.tripline.model.CodeContext;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Size limits on every string the agent sends. The application (and so an attacker) chooses paths,
 * host names and argv; one 1 MB file name must not make a batch larger than Kafka accepts (1 MiB by
 * default) and stall delivery. Applied on new events only, before the protobuf is built.
 *
 * <p>A cut string keeps its head and its tail (where the file name and a shell command's payload
 * are) around a visible marker: {@code head…[+N chars]…tail}. Each cut is counted in {@link
 * AgentStats#stringsTruncatedCount()}.
 */
final class Caps {
  /** Longest string sent (PATH_MAX on Linux: no real path is longer). */
  static final int MAX_CHARS = 4096;

  /** Longest argv sent; longer ones keep their first and last arguments. */
  static final int MAX_ARGS = 256;

  /** All argv strings of one event together: with many arguments each gets a smaller share. */
  static final int MAX_ARGV_CHARS = 65_536;

  /** Fewest characters an argument keeps when argv is long. */
  private static final int MIN_ARG_CHARS = 256;

  /** Resolved addresses kept per DNS answer. */
  static final int MAX_ADDRESSES = 64;

  private final @Nullable AgentStats stats;

  Caps(@Nullable AgentStats stats) {
    this.stats = stats;
  }

  String cap(String s) {
    return cap(s, MAX_CHARS);
  }

  String cap(String s, int max) {
    if (s == null || s.length() <= max) {
      return s;
    }
    if (stats != null) stats.stringTruncated();
    return cut(s, max);
  }

  /**
   * The capped form without counting: a cache key for an over-long string, equal for strings sent
   * alike.
   */
  static String key(String s) {
    return s.length() <= MAX_CHARS ? s : cut(s, MAX_CHARS);
  }

  /**
   * A cache key for a command: as sent when that is long (equal keys for commands sent alike), else
   * joined whole.
   */
  static String argvKey(String[] cmd) {
    String joined = String.join("\u0000", cmd);
    return fits(joined)
        ? joined
        : String.join("\u0000", UNCOUNTED.argv(java.util.Arrays.asList(cmd)));
  }

  private static final Caps UNCOUNTED = new Caps(null);

  static boolean fits(String s) {
    return s.length() <= MAX_CHARS;
  }

  private static String cut(String s, int max) {
    int tail = max / 4;
    int head = max - tail;
    if (Character.isHighSurrogate(s.charAt(head - 1))) head--; // never split a surrogate pair
    int tailStart = s.length() - tail;
    if (Character.isLowSurrogate(s.charAt(tailStart))) tailStart++;
    return s.substring(0, head) + "…[+" + (tailStart - head) + " chars]…" + s.substring(tailStart);
  }

  /**
   * At most {@link #MAX_ARGS} arguments (the first and the last ones, a marker between), within the
   * argv budget.
   */
  // cap() returns its argument itself when nothing was cut: identity is the test
  @SuppressWarnings("ReferenceEquality")
  List<String> argv(List<String> argv) {
    List<String> kept = argv;
    if (argv.size() > MAX_ARGS) {
      if (stats != null) stats.stringTruncated();
      int tail = MAX_ARGS / 4;
      int head = MAX_ARGS - tail - 1;
      kept = new ArrayList<>(MAX_ARGS);
      kept.addAll(argv.subList(0, head));
      kept.add("…[+" + (argv.size() - head - tail) + " args]…");
      kept.addAll(argv.subList(argv.size() - tail, argv.size()));
    }
    int share =
        Math.max(MIN_ARG_CHARS, Math.min(MAX_CHARS, MAX_ARGV_CHARS / Math.max(1, kept.size())));
    List<String> out = null;
    for (int i = 0; i < kept.size(); i++) {
      String a = kept.get(i);
      String c = cap(a, share);
      if (c != a && out == null) {
        out = new ArrayList<>(kept);
      }
      if (out != null) out.set(i, c);
    }
    return out != null ? out : kept;
  }

  /** Context frames with their strings capped; the same list when nothing is too long. */
  List<CodeContext> contexts(List<CodeContext> contexts) {
    List<CodeContext> out = contexts;
    for (int i = 0; i < contexts.size(); i++) {
      CodeContext c = contexts.get(i);
      if (!fits(c.getFrame())
          || !fits(c.getCodeLocation())
          || !fits(c.getJarName())
          || !fits(c.getCategory())
          || !fits(c.getArchive())) {
        if (out == contexts) out = new ArrayList<>(contexts);
        out.set(
            i,
            c.toBuilder()
                .setCategory(cap(c.getCategory()))
                .setFrame(cap(c.getFrame()))
                .setCodeLocation(cap(c.getCodeLocation()))
                .setJarName(cap(c.getJarName()))
                .setArchive(cap(c.getArchive()))
                .build());
      }
    }
    return out;
  }

  /**
   * The call site with every string capped; the same instance when nothing is too long (the usual
   * case).
   */
  CallSite callSite(CallSite c) {
    boolean fits =
        fits(c.getClassName())
            && fits(c.getMethodName())
            && fits(c.getSourceFile())
            && fits(c.getCodeLocation())
            && fits(c.getJarName())
            && fits(c.getArchive());
    for (String f : c.getFramesList()) fits &= fits(f);
    if (fits) {
      return c;
    }
    CallSite.Builder b =
        c.toBuilder()
            .setClassName(cap(c.getClassName()))
            .setMethodName(cap(c.getMethodName()))
            .setSourceFile(cap(c.getSourceFile()))
            .setCodeLocation(cap(c.getCodeLocation()))
            .setJarName(cap(c.getJarName()))
            .setArchive(cap(c.getArchive()))
            .clearFrames();
    for (String f : c.getFramesList()) b.addFrames(cap(f));
    return b.build();
  }
}

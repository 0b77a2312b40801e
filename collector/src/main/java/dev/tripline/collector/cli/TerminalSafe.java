package dev.tripline.collector.cli;

import org.jspecify.annotations.Nullable;

/**
 * Attacker-chosen text (paths, argv, hosts, class names, titles) made safe to print to a terminal:
 * control characters that could retitle the window, move the cursor, hide or rewrite text are shown
 * as visible escapes instead of being interpreted — C0 ({@code \x1b}, {@code \r}, {@code \n}, …),
 * DEL, C1 ({@code \u009b}, a one-byte CSI) and the Unicode bidi and line-separator controls.
 */
public final class TerminalSafe {
  private TerminalSafe() {}

  /** {@code value} with every control character escaped; {@code null} prints as {@code null}. */
  public static String text(Object value) {
    String s = String.valueOf(value);
    StringBuilder sb = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      String esc = escape(c);
      if (esc != null && sb == null) {
        sb = new StringBuilder(s.length() + 16).append(s, 0, i);
      }
      if (sb != null) {
        sb.append(esc != null ? esc : String.valueOf(c));
      }
    }
    return sb == null ? s : sb.toString();
  }

  private static @Nullable String escape(char c) {
    switch (c) {
      case '\n':
        return "\\n";
      case '\r':
        return "\\r";
      case '\t':
        return "\\t";
      default:
        if (c < 0x20 || c == 0x7f) {
          return String.format("\\x%02x", (int) c);
        }
        if ((c >= 0x80 && c <= 0x9f)
            || c == 0x061c
            || c == 0x200e
            || c == 0x200f
            || (c >= 0x2028 && c <= 0x202e)
            || (c >= 0x2066 && c <= 0x2069)) {
          return String.format("\\u%04x", (int) c);
        }
        return null;
    }
  }
}

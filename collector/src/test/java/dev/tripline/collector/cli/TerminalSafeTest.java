package dev.tripline.collector.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class TerminalSafeTest {

  @Test
  void controlCharactersAreShownNotInterpreted() {
    String[][] cases = {
      {"/srv/\u001b]0;pwned\u0007x", "/srv/\\x1b]0;pwned\\x07x"}, // OSC: retitles the window
      {"ok\rFAKE", "ok\\rFAKE"}, // carriage return: overwrites the line
      {"a\nb\tc", "a\\nb\\tc"},
      {"\u001b[2J\u001b[H", "\\x1b[2J\\x1b[H"}, // clear screen, cursor home
      {"del\u007f", "del\\x7f"},
      {"c1\u009b31m", "c1\\u009b31m"}, // one-byte CSI
      {"\u0000\u001f", "\\x00\\x1f"},
      {"evil\u202etxt.exe", "evil\\u202etxt.exe"}, // right-to-left override
      {"line\u2028sep", "line\\u2028sep"},
      {"café /tmp/ü ✓", "café /tmp/ü ✓"}, // printable text is left alone
      {null, "null"},
    };
    for (String[] c : cases) {
      assertEquals(c[1], TerminalSafe.text(c[0]), String.valueOf(c[0]));
    }
    String plain = "/etc/passwd";
    assertSame(plain, TerminalSafe.text(plain), "nothing to escape, nothing copied");
  }
}

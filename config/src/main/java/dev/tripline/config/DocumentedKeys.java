package dev.tripline.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a hand-written reference table (Markdown: {@code | `key` | `default` | …}) against the
 * declarations, so the prose stays hand-written and the facts cannot drift: every declared key has
 * a row with its default, and every row names declared keys only. A row may name several keys
 * ({@code `a`, `b`}); a name with {@code <…>} ({@code kafka.<any producer key>}) stands for a
 * pass-through prefix.
 */
public final class DocumentedKeys {
  private static final Pattern CODE = Pattern.compile("`([^`]+)`");

  private DocumentedKeys() {}

  /** Key → the default cell of its row, for every row of every table in {@code markdown}. */
  public static Map<String, String> rows(String markdown) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : markdown.split("\n", -1)) {
      String[] cells = line.trim().split("\\|", -1);
      if (!line.trim().startsWith("|") || cells.length < 3) {
        continue;
      }
      Matcher m = CODE.matcher(cells[1]);
      while (m.find()) {
        if (!m.group(1).contains("<")) {
          out.put(m.group(1), cells[2].trim());
        }
      }
    }
    return out;
  }

  /**
   * One line per disagreement between {@code markdown} and {@code table}; empty when they agree.
   */
  public static List<String> problems(KeyTable table, String markdown) {
    Map<String, String> rows = rows(markdown);
    List<String> problems = new ArrayList<>();
    for (Key<?> key : table.keys()) {
      String cell = rows.get(key.name());
      if (cell == null) {
        problems.add("'" + key.name() + "' is declared but not documented");
      } else if (!key.defaultText().isEmpty() && !cell.contains("`" + key.defaultText() + "`")) {
        problems.add(
            "'"
                + key.name()
                + "' is documented with default "
                + cell
                + ", declared "
                + key.defaultText());
      }
    }
    for (String name : rows.keySet()) {
      if (table.get(name) == null) {
        problems.add("'" + name + "' is documented but not declared");
      }
    }
    return problems;
  }
}

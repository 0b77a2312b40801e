package dev.tripline.agent.redact;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes secrets from argv and strings before anything leaves the agent. Runs once per new process
 * spawn (never on file paths or repeats), so it may afford regular expressions.
 *
 * <p>Three layers: {@link #text} masks what is a secret wherever it appears (URL passwords, {@code
 * name=value} and JSON fields with a secret-sounding name, {@code Authorization} and {@code *-Key}
 * headers, bearer tokens, AWS keys, JWTs); {@link #argv} adds flags whose next argument is a secret
 * ({@code --db-password X}); and a few programs whose short flags carry passwords ({@code mysql
 * -pX}, {@code redis-cli -a X}, {@code curl -u user:X}, {@code sshpass -p X}). A shell's {@code -c}
 * script is redacted the same way, command by command. A short {@code -p} with a separate value is
 * left alone elsewhere: it is a port ({@code ssh}, {@code redis-cli}, {@code psql}), a port mapping
 * ({@code docker}), a module path ({@code java}) or no value at all ({@code mkdir -p}).
 */
public final class Redactor {
  public static final String MASK = "<redacted>";

  private static final String SECRET_WORDS =
      "pass(?:wd|word|phrase)?|pwd|secret|token|api[-_]?key|access[-_]?key|private[-_]?key|credentials?|auth(?!or)";
  private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(" + SECRET_WORDS + ").*");

  /**
   * A flag whose next argument is a secret: its name ends with a secret word ({@code
   * --db-password}, {@code --client-secret}, {@code -storepass}); {@code --no-password}, {@code
   * --password-file} and {@code --password-stdin} do not take a secret and do not match.
   */
  private static final Pattern SECRET_FLAG =
      Pattern.compile(
          "(?i)^--?(?!no-)(?:[a-z0-9]+[-_.])*[a-z]*(?:pass(?:wd|word|phrase|in|out)?|pwd|secret|token|api[-_]?key|apikey"
              + "|access[-_]?key|private[-_]?key|credentials?|auth)$");

  /**
   * The name and colon of a JSON field {@code "password": "…"}; its value is scanned by hand
   * (escapes).
   */
  private static final Pattern JSON_NAME =
      Pattern.compile("\"([A-Za-z0-9_.-]{1,64})\"\\s{0,8}:\\s{0,8}\"");

  /** userinfo up to the last {@code @} of the authority: a password may contain {@code @}. */
  private static final Pattern URL_CREDENTIALS =
      Pattern.compile("(?i)([a-z][a-z0-9+.-]{0,30}://)([^/?#@\\s:]{1,256}):([^/?#\\s]{1,512})@");

  /**
   * {@code Authorization: token X}, {@code X-Api-Key: X}, {@code Cookie: …}: header lines. A blank
   * after the colon is required (without one it is {@code name:value}, below), so {@code
   * auth-server:8443} stays.
   */
  private static final Pattern HEADER =
      Pattern.compile(
          "(?i)\\b((?:proxy-)?authorization|[a-z0-9-]{0,40}(?:api-?key|token|secret|password|auth(?!or))[a-z0-9-]{0,40}|cookie|set-cookie)"
              + "(:[ \\t]+)(?:(bearer|basic|token|digest|negotiate|apikey|key)[ \\t]+)?([^\\s'\"]+)");

  private static final Pattern AWS_KEY = Pattern.compile("\\b(AKIA|ASIA)[A-Z0-9]{16}\\b");
  private static final Pattern BEARER =
      Pattern.compile("(?i)\\b(bearer|basic)\\s+(?!<redacted>)[A-Za-z0-9._~+/=-]+");

  /**
   * Longer argv elements are cut here (the rest is dropped, never sent unredacted): the patterns
   * stay cheap on hostile input, and the agent caps what it sends anyway.
   */
  static final int MAX_TEXT = 4096;

  /**
   * {@code sh -c "sh -c '…'"}: deeper scripts are masked as text only (the application's stack is
   * not ours to spend).
   */
  private static final int MAX_SHELL_DEPTH = 3;

  private static final Set<String> SHELLS =
      Set.of("sh", "bash", "dash", "zsh", "ash", "ksh", "busybox");

  /**
   * {@code -pSECRET} attached, and {@code -p SECRET}, are the password (mysql: {@code -p X} is
   * really a database, but the intent is a password).
   */
  private static final Set<String> DASH_P_IS_PASSWORD =
      Set.of(
          "mysql",
          "mysqldump",
          "mysqladmin",
          "mysqlimport",
          "mysqlcheck",
          "mysqlshow",
          "mysqlpump",
          "mysqlbinlog",
          "mysqlsh",
          "mariadb",
          "mariadb-dump",
          "mariadb-admin",
          "mongo",
          "mongosh",
          "mongodump",
          "mongorestore",
          "mongoexport",
          "mongoimport",
          "sshpass",
          "7z",
          "7za",
          "7zr");

  private static final Set<String> CURL = Set.of("curl", "wget");

  /** Words before the program in a shell command: {@code exec mysql …}, {@code sudo -E mysql …}. */
  private static final Set<String> WRAPPERS =
      Set.of("exec", "sudo", "env", "nohup", "time", "nice", "command");

  private Redactor() {}

  /** A command line with secret values masked; the shape (flags, positions) is kept. */
  public static List<String> argv(String[] argv) {
    List<String> out = new ArrayList<>(argv.length);
    for (String arg : argv) {
      out.add(arg == null ? "" : arg);
    }
    redactArgs(out, 0);
    return out;
  }

  /**
   * Masks secrets in {@code words} in place. {@code words} is a command: the program (perhaps after
   * wrappers and {@code NAME=value} assignments), then its arguments; words from a shell script may
   * carry shell quotes, which are kept around a masked value.
   */
  private static void redactArgs(List<String> words, int depth) {
    String program = "";
    int programAt = -1;
    for (int i = 0; i < words.size(); i++) {
      String w = unquote(words.get(i));
      if (!w.isEmpty() && w.indexOf('=') < 0 && !WRAPPERS.contains(w) && !w.startsWith("-")) {
        program = basename(w);
        programAt = i;
        break;
      }
    }
    boolean maskNext = false;
    boolean userNext = false;
    boolean script = false;
    for (int i = 0; i < words.size(); i++) {
      String raw = words.get(i);
      String w = unquote(raw);
      if (i <= programAt) {
        words.set(i, text(raw));
        continue;
      }
      if (script) {
        String inner = depth < MAX_SHELL_DEPTH ? script(w, depth + 1) : text(w);
        words.set(i, raw.equals(w) ? inner : raw.charAt(0) + inner + raw.charAt(raw.length() - 1));
        script = false;
        continue;
      }
      if (maskNext) {
        maskNext = false;
        // A flag right after a secret flag is a flag (--password --token X), not the secret;
        // anything else is.
        if (!(w.startsWith("--") || isSecretFlag(w))) {
          words.set(i, mask(raw, w, 0));
          continue;
        }
      }
      if (userNext) {
        userNext = false;
        words.set(i, maskAfterColon(raw, w, 0));
        continue;
      }
      if (isSecretFlag(w)) {
        maskNext = true;
        words.set(i, raw);
        continue;
      }
      if (SHELLS.contains(program) && w.matches("-[a-z]*c")) {
        script = true;
        continue;
      }
      if (DASH_P_IS_PASSWORD.contains(program) && w.equals("-p")) {
        maskNext = true;
        continue;
      }
      if (DASH_P_IS_PASSWORD.contains(program) && w.startsWith("-p") && w.length() > 2) {
        words.set(i, mask(raw, w, 2));
        continue;
      }
      if (program.equals("redis-cli") && w.equals("-a")) {
        maskNext = true;
        continue;
      }
      if ((program.equals("zip") || program.equals("unzip")) && w.equals("-P")) {
        maskNext = true;
        continue;
      }
      if (CURL.contains(program)) {
        if (w.equals("-u") || w.equals("--user") || w.equals("-U") || w.equals("--proxy-user")) {
          userNext = true;
          continue;
        }
        if (w.startsWith("--user=") || w.startsWith("--proxy-user=")) {
          words.set(i, maskAfterColon(raw, w, w.indexOf('=') + 1));
          continue;
        }
        if ((w.startsWith("-u") || w.startsWith("-U")) && w.length() > 2) {
          words.set(i, maskAfterColon(raw, w, 2));
          continue;
        }
      }
      words.set(i, text(raw));
    }
  }

  private static boolean isSecretFlag(String w) {
    return w.length() <= 64 && w.startsWith("-") && SECRET_FLAG.matcher(w).matches();
  }

  /** A shell script ({@code sh -c "…"}): masked as a whole, then command by command. */
  static String script(String s, int depth) {
    String r = text(s);
    StringBuilder out = new StringBuilder(r.length());
    int start = 0;
    for (int i = 0; i <= r.length(); i++) {
      char c = i < r.length() ? r.charAt(i) : ';';
      if (c == ';' || c == '&' || c == '|' || c == '\n' || c == '(' || c == ')' || c == '`') {
        out.append(command(r.substring(start, i), depth));
        if (i < r.length()) {
          out.append(c);
        }
        start = i + 1;
      }
    }
    return out.toString();
  }

  /**
   * One shell command: split on blanks (quotes kept on their words), redacted as argv, joined back.
   */
  private static String command(String s, int depth) {
    List<String> words = new ArrayList<>();
    List<String> gaps = new ArrayList<>();
    int i = 0;
    while (i < s.length()) {
      int gap = i;
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
      gaps.add(s.substring(gap, i));
      int word = i;
      char quote = 0;
      while (i < s.length() && (quote != 0 || !Character.isWhitespace(s.charAt(i)))) {
        char c = s.charAt(i);
        if (quote == 0 && (c == '\'' || c == '"')) {
          quote = c;
        } else if (c == quote) {
          quote = 0;
        }
        i++;
      }
      words.add(s.substring(word, i));
    }
    if (words.isEmpty()) {
      return s;
    }
    redactArgs(words, depth);
    StringBuilder out = new StringBuilder(s.length());
    for (int w = 0; w < words.size(); w++) {
      out.append(gaps.get(w)).append(words.get(w));
    }
    return out.toString();
  }

  /** A string with credentials masked: key=value secrets, URL user:password, keys and tokens. */
  public static String text(String s) {
    if (s == null || s.isEmpty()) {
      return s;
    }
    String r = s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT) + "…";
    if (r.indexOf("://") >= 0) {
      r = URL_CREDENTIALS.matcher(r).replaceAll("$1$2:" + MASK + "@");
    }
    r = AWS_KEY.matcher(r).replaceAll(MASK);
    r = maskJwts(r);
    if (r.indexOf(':') >= 0) {
      r = replaceSecretHeaders(r);
      if (r.indexOf('"') >= 0) {
        r = replaceSecretJson(r);
      }
    }
    r = BEARER.matcher(r).replaceAll("$1 " + MASK);
    if (r.indexOf('=') >= 0 || r.indexOf(':') >= 0) {
      r = maskKeyValues(r);
    }
    return r;
  }

  /**
   * {@code name=value} and {@code name:value} with a secret-sounding name (the last 64 characters
   * of it); a value ends at a blank, {@code &}, {@code ,} or {@code ;}, so {@code ?user=a&token=X}
   * is caught. {@code scheme://host:port} is not a name and a value. One pass, no backtracking.
   */
  private static String maskKeyValues(String s) {
    StringBuilder sb = null;
    int copied = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '=' && c != ':') {
        continue;
      }
      if (c == ':' && s.startsWith("//", i + 1)) {
        int slash = s.indexOf('/', i + 3);
        i = (slash < 0 ? s.length() : slash) - 1; // the authority (host:port) is not name:value
        continue;
      }
      int nameStart = i;
      while (nameStart > 0 && i - nameStart < 64 && isNameChar(s.charAt(nameStart - 1))) {
        nameStart--;
      }
      int valueEnd = i + 1;
      while (valueEnd < s.length()
          && !Character.isWhitespace(s.charAt(valueEnd))
          && "&,;".indexOf(s.charAt(valueEnd)) < 0) {
        valueEnd++;
      }
      if (nameStart == i || valueEnd == i + 1) {
        continue;
      }
      boolean masked = s.startsWith(MASK, i + 1) || s.startsWith("\"" + MASK, i + 1);
      if (!masked && SECRET_NAME.matcher(s.subSequence(nameStart, i)).matches()) {
        if (sb == null) sb = new StringBuilder(s.length());
        sb.append(s, copied, i + 1).append(MASK);
        copied = valueEnd;
      }
      i = valueEnd - 1; // a value is not a name: host=auth-server:9092 stays
    }
    return sb == null ? s : sb.append(s, copied, s.length()).toString();
  }

  private static boolean isNameChar(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '_'
        || c == '.'
        || c == '-';
  }

  private static boolean isTokenChar(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '_'
        || c == '-';
  }

  /**
   * JWTs ({@code eyJ…}, three dot-separated base64url parts of 5+ characters). Linear: a candidate
   * that fails is skipped together with its first part, which every candidate inside it shares.
   */
  private static String maskJwts(String s) {
    int i = s.indexOf("eyJ");
    StringBuilder sb = null;
    int copied = 0;
    while (i >= 0) {
      if (i > 0 && isTokenChar(s.charAt(i - 1)) && s.charAt(i - 1) != '-') {
        i = s.indexOf("eyJ", i + 1); // not at a word boundary
        continue;
      }
      int end = i;
      int firstEnd = -1;
      boolean ok = true;
      for (int part = 0; part < 3 && ok; part++) {
        int start = end;
        while (end < s.length() && isTokenChar(s.charAt(end))) end++;
        if (part == 0) firstEnd = end;
        ok = end - start >= (part == 0 ? 8 : 5);
        if (ok && part < 2) {
          ok = end < s.length() && s.charAt(end) == '.';
          end++;
        }
      }
      if (ok) {
        if (sb == null) sb = new StringBuilder(s.length());
        sb.append(s, copied, i).append(MASK);
        copied = end;
        i = s.indexOf("eyJ", end);
      } else {
        i = s.indexOf("eyJ", Math.max(i + 1, firstEnd));
      }
    }
    return sb == null ? s : sb.append(s, copied, s.length()).toString();
  }

  private static String replaceSecretHeaders(String s) {
    Matcher m = HEADER.matcher(s);
    StringBuilder sb = new StringBuilder();
    boolean any = false;
    while (m.find()) {
      any = true;
      String scheme = m.group(3) == null ? "" : m.group(3) + " ";
      String value = m.group(4);
      String replaced =
          value.startsWith(MASK) ? m.group() : m.group(1) + m.group(2) + scheme + MASK;
      m.appendReplacement(sb, Matcher.quoteReplacement(replaced));
    }
    if (!any) {
      return s;
    }
    m.appendTail(sb);
    return sb.toString();
  }

  private static String replaceSecretJson(String s) {
    Matcher m = JSON_NAME.matcher(s);
    StringBuilder sb = null;
    int copied = 0;
    int from = 0;
    while (from < s.length() && m.find(from)) {
      int valueStart = m.end();
      int valueEnd = valueStart;
      while (valueEnd < s.length() && s.charAt(valueEnd) != '"') {
        valueEnd += s.charAt(valueEnd) == '\\' ? 2 : 1;
      }
      valueEnd = Math.min(valueEnd, s.length());
      if (SECRET_NAME.matcher(m.group(1)).matches()) {
        if (sb == null) sb = new StringBuilder(s.length());
        sb.append(s, copied, valueStart).append(MASK);
        copied = valueEnd;
      }
      from = valueEnd + 1;
    }
    if (sb == null) {
      return s;
    }
    return sb.append(s, Math.min(copied, s.length()), s.length()).toString();
  }

  /**
   * {@code raw} with the part of its unquoted value {@code w} from {@code from} on masked, quotes
   * kept.
   */
  private static String mask(String raw, String w, int from) {
    int lead = raw.length() > w.length() ? 1 : 0;
    int trail = raw.length() - w.length() - lead;
    return raw.substring(0, lead)
        + w.substring(0, from)
        + MASK
        + raw.substring(raw.length() - Math.max(0, trail));
  }

  /**
   * {@code user:password} → {@code user:<redacted>}; without a colon the tool asks for the
   * password.
   */
  private static String maskAfterColon(String raw, String w, int from) {
    int colon = w.indexOf(':', from);
    return colon < 0 ? raw : mask(raw, w, colon + 1);
  }

  /** Surrounding shell quotes removed: {@code 'abc'} → {@code abc}, {@code -p"x"} → {@code -px}. */
  private static String unquote(String s) {
    if (s.length() >= 2
        && (s.charAt(0) == '\'' || s.charAt(0) == '"')
        && s.charAt(s.length() - 1) == s.charAt(0)) {
      return s.substring(1, s.length() - 1);
    }
    return s;
  }

  private static String basename(String path) {
    return path.substring(path.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
  }

  public static boolean looksSecret(String name) {
    return SECRET_NAME.matcher(name.toLowerCase(Locale.ROOT)).matches();
  }
}

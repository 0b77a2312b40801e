package dev.tripline.config.redact;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Removes secrets from argv and strings. The agent runs it before anything leaves the JVM (once per
 * new process spawn, never on repeats); the collector runs it again on every process event it
 * receives (an old or forged agent's unredacted argv never reaches a profile, an alert or the OCSF
 * topic). Redacting twice changes nothing.
 *
 * <p>Layers: {@link #text} masks what is a secret wherever it appears — by shape ({@link
 * SecretShapes}: PEM keys, JWTs, issued key formats, random-looking tokens), by position in a URL
 * ({@link UrlSecrets}) and by name ({@link SecretNames}: {@code name=value}, {@code name:value},
 * JSON fields, {@code Authorization} and {@code *-Key} headers, bearer tokens); {@link #argv} adds
 * flags whose next argument is a secret ({@code --db-password X}), bare names before one ({@code
 * password X}, in one element or two), and programs whose flags or positions carry passwords
 * ({@code mysql -pX}, {@code redis-cli -a X}, {@code curl -u user:X -b session=X}, {@code sshpass
 * -p X}, {@code openssl -k X}, {@code htpasswd -b file user X}), found after wrappers ({@code sudo
 * -u db mysql -pX}, {@code docker exec c mysql -pX}). A shell's {@code -c} script is redacted the
 * same way, command by command. A short {@code -p} with a separate value is left alone elsewhere:
 * it is a port ({@code ssh}, {@code redis-cli}, {@code psql}), a port mapping ({@code docker}), a
 * module path ({@code java}) or no value at all ({@code mkdir -p}).
 *
 * <p>Bounded: every scan is linear or runs a bounded pattern on a bounded string; elements are cut
 * at {@link #MAX_TEXT} first.
 */
public final class Redactor {
  public static final String MASK = "<redacted>";

  /**
   * The name and colon of a JSON field {@code "password": "…"}; its value is scanned by hand
   * (escapes).
   */
  private static final Pattern JSON_NAME =
      Pattern.compile("\"([A-Za-z0-9_.-]{1,64})\"\\s{0,8}:\\s{0,8}\"");

  /**
   * {@code Authorization: token X}, {@code X-Api-Key: X}, {@code Cookie: …}: header lines. A blank
   * after the colon is required (without one it is {@code name:value}, below), so {@code
   * auth-server:8443} stays.
   */
  private static final Pattern HEADER =
      Pattern.compile(
          "(?i)\\b((?:proxy-)?authorization|[a-z0-9-]{0,40}(?:api-?key|token|secret|password|auth(?!or))[a-z0-9-]{0,40}|cookie|set-cookie)"
              + "(:[ \\t]{1,8})(?:(bearer|basic|token|digest|negotiate|apikey|key)[ \\t]{1,8})?([^\\s'\"]+)");

  private static final Pattern BEARER =
      Pattern.compile("(?i)\\b(bearer|basic)\\s{1,8}(?!<redacted>)[A-Za-z0-9._~+/=-]+");

  /**
   * Longer argv elements are cut here (the rest is dropped, never sent unredacted): the patterns
   * stay cheap on hostile input, and the agent caps what it sends anyway.
   */
  public static final int MAX_TEXT = 4096;

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

  /** Oracle tools whose first argument is {@code user/password@db}. */
  private static final Set<String> ORACLE = Set.of("sqlplus", "sqlldr", "expdp", "impdp", "rman");

  /**
   * Programs with rules of their own: met anywhere in a command (after {@code sudo -u db}, {@code
   * docker exec c}, {@code timeout 5}), they become the program the next words belong to.
   */
  private static final Set<String> TOOLS = tools();

  private static Set<String> tools() {
    Set<String> t = new java.util.HashSet<>(DASH_P_IS_PASSWORD);
    t.addAll(SHELLS);
    t.addAll(CURL);
    t.addAll(ORACLE);
    t.addAll(Set.of("redis-cli", "zip", "unzip", "openssl", "htpasswd"));
    return Set.copyOf(t);
  }

  /** Words before the program in a shell command: {@code exec mysql …}, {@code sudo -E mysql …}. */
  private static final Set<String> WRAPPERS =
      Set.of("exec", "sudo", "env", "nohup", "time", "nice", "command", "doas");

  private Redactor() {}

  /** A command line with secret values masked; the shape (flags, positions) is kept. */
  public static List<String> argv(@Nullable String[] argv) {
    List<String> out = new ArrayList<>(argv.length);
    for (String arg : argv) {
      out.add(arg == null ? "" : arg);
    }
    redactArgs(out, 0, null);
    return out;
  }

  /** The same for an argv already in a list (the collector's, from the wire). */
  public static List<String> argv(List<String> argv) {
    return argv(argv.toArray(new String[0]));
  }

  /**
   * Environment entries ({@code NAME=value}) with secrets masked: the whole value under a
   * secret-looking name, else the value read as a command line's arguments ({@code
   * JAVA_TOOL_OPTIONS=-Dapi.token=…}).
   */
  public static List<String> environment(List<String> entries) {
    List<String> out = new ArrayList<>(entries.size());
    for (String entry : entries) {
      int eq = entry.indexOf('=');
      if (eq <= 0) {
        out.add(text(entry));
        continue;
      }
      String name = entry.substring(0, eq);
      if (looksSecret(name)) {
        out.add(name + "=" + MASK);
        continue;
      }
      List<String> words = new ArrayList<>();
      words.add("_"); // the program: what follows are its arguments
      words.addAll(java.util.Arrays.asList(entry.substring(eq + 1).split(" ", -1)));
      redactArgs(words, 0, null);
      out.add(name + "=" + String.join(" ", words.subList(1, words.size())));
    }
    return out;
  }

  /**
   * Masks secrets in {@code words} in place. {@code words} is a command: the program (perhaps after
   * wrappers and {@code NAME=value} assignments), then its arguments — or, when {@code program} is
   * given, the words of one argument of that program ({@code "--token X"}). Words from a shell
   * script may carry shell quotes, which are kept around a masked value.
   */
  private static void redactArgs(List<String> words, int depth, @Nullable String program) {
    int programAt = -1;
    if (program == null) {
      program = "";
      for (int i = 0; i < words.size(); i++) {
        String w = unquote(words.get(i));
        if (!w.isEmpty() && w.indexOf('=') < 0 && !WRAPPERS.contains(w) && !w.startsWith("-")) {
          program = basename(w);
          programAt = i;
          break;
        }
      }
    }
    boolean maskNext = false;
    boolean userNext = false;
    boolean cookieNext = false;
    boolean script = false;
    boolean htpasswdBatch = false;
    int lastPositional = -1;
    int positionals = 0;
    boolean redirected = false;
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
        if (!(w.startsWith("--") || SecretNames.isFlag(w))) {
          words.set(i, mask(raw, w, 0));
          continue;
        }
      }
      if (userNext) {
        userNext = false;
        words.set(i, maskAfterColon(raw, w, 0));
        continue;
      }
      if (cookieNext) {
        cookieNext = false; // name=value pairs; without '=' it is a cookie file
        words.set(i, w.indexOf('=') >= 0 ? mask(raw, w, 0) : raw);
        continue;
      }
      String base = w.startsWith("-") ? "" : basename(w);
      if (TOOLS.contains(base)) {
        program = base; // sudo -u db mysql -pX, docker exec c sh -c …
        lastPositional = -1;
        positionals = 0;
        htpasswdBatch = false;
        redirected = false;
        words.set(i, text(raw));
        continue;
      }
      if (w.startsWith(">")
          || w.startsWith("2>")
          || w.startsWith("&>")
          || (w.startsWith("<") && !w.startsWith(MASK))) {
        redirected = true; // a shell redirection: what follows is a file, not an argument
      }
      if (SecretNames.isFlag(w)) {
        maskNext = true;
        continue;
      }
      if (SHELLS.contains(program) && w.matches("-[a-z]{0,8}c")) {
        script = true;
        continue;
      }
      if (programRule(program, w)) {
        maskNext = true;
        continue;
      }
      if (DASH_P_IS_PASSWORD.contains(program) && w.startsWith("-p") && w.length() > 2) {
        words.set(i, mask(raw, w, 2));
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
        if (w.equals("-b") || w.equals("--cookie")) {
          cookieNext = true;
          continue;
        }
      }
      if (program.equals("htpasswd") && w.startsWith("-") && !w.startsWith("--")) {
        htpasswdBatch |= w.indexOf('b') > 0;
        continue;
      }
      if (SecretNames.isWord(w) && i + 1 < words.size()) {
        maskNext = true; // password X, aws configure set aws_secret_access_key X
        words.set(i, raw);
        continue;
      }
      if (!w.startsWith("-") && !redirected) {
        if (ORACLE.contains(program) && positionals == 0 && w.indexOf('/') > 0) {
          words.set(i, oracleLogin(raw)); // sqlplus scott/tiger@db
          positionals++;
          continue;
        }
        lastPositional = i;
        positionals++;
      }
      String t = text(raw);
      words.set(i, hasBlank(t) ? phrase(t, program) : t);
    }
    // htpasswd -b file user PASSWORD (-n: user PASSWORD): the last positional is the password
    if (program.equals("htpasswd") && htpasswdBatch && positionals >= 2 && lastPositional >= 0) {
      String raw = words.get(lastPositional);
      words.set(lastPositional, mask(raw, unquote(raw), 0));
    }
  }

  /** A flag of {@code program} whose next argument is a password ({@code openssl enc -k X}). */
  private static boolean programRule(String program, String w) {
    switch (program) {
      case "redis-cli":
        return w.equals("-a");
      case "zip":
      case "unzip":
        return w.equals("-P");
      case "openssl":
        return w.equals("-k") || w.equals("-K");
      default:
        return DASH_P_IS_PASSWORD.contains(program) && w.equals("-p");
    }
  }

  /** {@code scott/tiger@db} → {@code scott/<redacted>@db}. */
  private static String oracleLogin(String raw) {
    int slash = raw.indexOf('/');
    int at = raw.lastIndexOf('@');
    int end = at > slash ? at : raw.length();
    return slash <= 0 || raw.startsWith(MASK, slash + 1) || raw.startsWith("/")
        ? text(raw)
        : raw.substring(0, slash + 1) + MASK + raw.substring(end);
  }

  /**
   * One argument holding several words ({@code "--token X"}, {@code "password X"}): its words are
   * judged as arguments of {@code program}. Words hold no blank, so this does not recurse.
   */
  private static String phrase(String s, String program) {
    List<String> words = new ArrayList<>();
    List<String> gaps = new ArrayList<>();
    split(s, words, gaps, false);
    redactArgs(words, MAX_SHELL_DEPTH, program);
    return join(words, gaps, s.length());
  }

  private static boolean hasBlank(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isWhitespace(s.charAt(i))) return true;
    }
    return false;
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
    split(s, words, gaps, true);
    if (words.isEmpty()) {
      return s;
    }
    redactArgs(words, depth, null);
    return join(words, gaps, s.length());
  }

  /** Words and the blanks before each; with {@code quotes}, a quoted blank stays in its word. */
  private static void split(String s, List<String> words, List<String> gaps, boolean quotes) {
    int i = 0;
    while (i < s.length()) {
      int gap = i;
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
      gaps.add(s.substring(gap, i));
      int word = i;
      char quote = 0;
      while (i < s.length() && (quote != 0 || !Character.isWhitespace(s.charAt(i)))) {
        char c = s.charAt(i);
        if (quotes && quote == 0 && (c == '\'' || c == '"')) {
          quote = c;
        } else if (c == quote) {
          quote = 0;
        }
        i++;
      }
      words.add(s.substring(word, i));
    }
  }

  private static String join(List<String> words, List<String> gaps, int size) {
    StringBuilder out = new StringBuilder(size);
    for (int w = 0; w < words.size(); w++) {
      out.append(gaps.get(w)).append(words.get(w));
    }
    return out.toString();
  }

  /**
   * A string with credentials masked: by shape, by position in a URL, by name. Idempotent: masking
   * a masked string changes nothing.
   */
  public static String text(String s) {
    if (s.isEmpty()) {
      return s;
    }
    String r = s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT) + "…";
    r = UrlSecrets.mask(r);
    r = SecretShapes.pem(r);
    r = SecretShapes.jwts(r);
    if (r.indexOf(':') >= 0) {
      if (r.indexOf(": ") >= 0 || r.indexOf(":\t") >= 0) {
        r = replaceSecretHeaders(r); // (a header has a blank after its colon: else name:value)
      }
      if (r.indexOf('"') >= 0) {
        r = replaceSecretJson(r);
      }
    }
    r = BEARER.matcher(r).replaceAll("$1 " + MASK);
    if (r.indexOf('=') >= 0 || r.indexOf(':') >= 0) {
      r = maskKeyValues(r);
    }
    return SecretShapes.tokens(r);
  }

  /**
   * {@code name=value} and {@code name:value} with a secret-sounding name (the last 64 characters
   * of it); a value ends at a blank, {@code &}, {@code ,} or {@code ;}, so {@code ?user=a&token=X}
   * is caught. {@code scheme://host:port} is not a name and a value; a URL's authority ends at the
   * first {@code / ? #} ({@code https://h?token=X}). One pass, no backtracking.
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
        int end = i + 3; // the authority (user:x@host:port) is not name:value
        while (end < s.length()
            && "/?#".indexOf(s.charAt(end)) < 0
            && !Character.isWhitespace(s.charAt(end))) {
          end++;
        }
        i = end - 1;
        continue;
      }
      int nameStart = i;
      while (nameStart > 0
          && i - nameStart < SecretNames.MAX_NAME
          && isNameChar(s.charAt(nameStart - 1))) {
        nameStart--;
      }
      if (nameStart == i) {
        continue; // no name: nothing to judge (and no value scan, which would cost per ':')
      }
      int valueEnd = i + 1;
      while (valueEnd < s.length()
          && !Character.isWhitespace(s.charAt(valueEnd))
          && "&,;".indexOf(s.charAt(valueEnd)) < 0) {
        valueEnd++;
      }
      if (valueEnd == i + 1) {
        continue;
      }
      boolean masked = s.startsWith(MASK, i + 1) || s.startsWith("\"" + MASK, i + 1);
      if (!masked && SecretNames.isSecret(s.subSequence(nameStart, i))) {
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
      if (SecretNames.isSecret(m.group(1)) && !s.startsWith(MASK + "\"", valueStart)) {
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

  /** A configuration key or field name that announces a secret value. */
  public static boolean looksSecret(String name) {
    return SecretNames.isSecret(name);
  }
}

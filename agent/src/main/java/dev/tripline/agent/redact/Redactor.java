package dev.tripline.agent.redact;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Removes secrets from argv and strings before anything leaves the agent. */
public final class Redactor {
  public static final String MASK = "<redacted>";

  private static final Pattern SECRET_NAME = Pattern.compile(
      "(?i).*(pass(wd|word)?|secret|token|api[-_]?key|access[-_]?key|private[-_]?key|credential|auth).*");
  /** Flags whose next argument is a secret. -p is the common short form (mysql, redis-cli …). */
  private static final Pattern SECRET_FLAG = Pattern.compile(
      "(?i)^(-p|--?(password|passwd|pass|pwd|token|secret|api-?key|access-?key|auth|credentials?|private-?key))$");
  private static final Pattern KEY_VALUE = Pattern.compile("(?i)([A-Za-z0-9_.-]*)([=:])(\\S+)");
  private static final Pattern URL_CREDENTIALS = Pattern.compile("(?i)([a-z][a-z0-9+.-]*://)([^/@\\s:]+):([^/@\\s]+)@");
  private static final Pattern AWS_KEY = Pattern.compile("\\b(AKIA|ASIA)[A-Z0-9]{16}\\b");
  private static final Pattern BEARER = Pattern.compile("(?i)\\b(bearer|basic)\\s+[A-Za-z0-9._~+/=-]{8,}");
  private static final Pattern JWT = Pattern.compile("\\beyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}");

  private Redactor() {}

  /** A command line with secret values masked; the shape (flags, positions) is kept. */
  public static List<String> argv(String[] argv) {
    List<String> out = new ArrayList<>(argv.length);
    boolean maskNext = false;
    for (String arg : argv) {
      if (arg == null) {
        out.add("");
        continue;
      }
      if (maskNext) {
        out.add(MASK);
        maskNext = false;
        continue;
      }
      if (SECRET_FLAG.matcher(arg).matches()) {
        out.add(arg);
        maskNext = true;
        continue;
      }
      out.add(text(arg));
    }
    return out;
  }

  /** A string with credentials masked: key=value secrets, URL user:password, keys and tokens. */
  public static String text(String s) {
    if (s == null || s.isEmpty()) {
      return s;
    }
    String r = URL_CREDENTIALS.matcher(s).replaceAll("$1$2:" + MASK + "@");
    r = AWS_KEY.matcher(r).replaceAll(MASK);
    r = BEARER.matcher(r).replaceAll("$1 " + MASK);
    r = JWT.matcher(r).replaceAll(MASK);
    if (r.indexOf('=') >= 0 || r.indexOf(':') >= 0) {
      Matcher m = KEY_VALUE.matcher(r);
      StringBuilder sb = new StringBuilder();
      while (m.find()) {
        String name = m.group(1);
        boolean secret = !name.isEmpty() && SECRET_NAME.matcher(name).matches() && !m.group(3).equals(MASK)
            && !(m.group(2).equals(":") && m.group(3).startsWith("//"));
        m.appendReplacement(sb, Matcher.quoteReplacement(secret ? name + m.group(2) + MASK : m.group()));
      }
      m.appendTail(sb);
      r = sb.toString();
    }
    return r;
  }

  static boolean looksSecret(String name) {
    return SECRET_NAME.matcher(name.toLowerCase(Locale.ROOT)).matches();
  }
}

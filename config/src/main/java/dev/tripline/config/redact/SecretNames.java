package dev.tripline.config.redact;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which names announce a secret value: {@code name=value}, {@code name:value}, a JSON field, a flag
 * whose next argument is the value ({@code --db-password X}) or a bare word before it ({@code aws
 * configure set aws_secret_access_key X}). Plain string tests, no backtracking.
 */
final class SecretNames {
  /** A name containing one of these is secret ({@code DB_PASSWORD}, {@code x-api-key}). */
  private static final String[] CONTAINS = {
    "pass", // password, passwd, passphrase, PGPASSWORD
    "pwd",
    "secret",
    "token",
    "apikey",
    "api_key",
    "api-key",
    "accesskey",
    "access_key",
    "access-key",
    "privatekey",
    "private_key",
    "private-key",
    "accountkey", // Azure storage connection strings
    "sharedaccess", // Azure SharedAccessKey=, SharedAccessSignature=
    "credential",
    "authorization",
    "cookie",
    "sessid", // PHPSESSID, JSESSIONID
    "sessionid",
    "session_id",
    "session-id",
    "bearer",
  };

  /** A name that is exactly one of these is secret ({@code &sig=} of an Azure SAS URL). */
  private static final Set<String> EXACT =
      Set.of("sig", "signature", "key", "pat", "pw", "sas", "session", "sid", "jwt", "otp", "pin");

  /** A name ending with one of these is secret ({@code STRIPE_KEY}, {@code GITHUB_PAT}). */
  private static final String[] SUFFIXES = {
    "_key", "-key", ".key", "_pat", "-pat", "_sig", "-sig", "_pw", "-pw", "_session", "-session"
  };

  /**
   * A flag whose next argument is a secret: its name ends with a secret word ({@code
   * --db-password}, {@code --client-secret}, {@code -storepass}, {@code --oauth2-bearer}); {@code
   * --no-password}, {@code --password-file} and {@code --password-stdin} do not take a secret.
   */
  private static final Pattern FLAG =
      Pattern.compile(
          "(?i)--?(?!no-)(?:[a-z0-9]{1,32}[-_.]){0,8}[a-z]{0,32}(?:pass(?:wd|word|phrase|in|out)?|pwd|secret|token"
              + "|api[-_]?key|apikey|access[-_]?key|private[-_]?key|account[-_]?key|secret[-_]?key|credentials?"
              + "|auth|bearer|cookie)");

  /**
   * A bare word naming the next word as secret ({@code password X}, {@code aws_secret_access_key
   * X}): as a flag without dashes, but not {@code auth} ({@code gh auth login}).
   */
  private static final Pattern WORD =
      Pattern.compile(
          "(?i)(?:[a-z0-9]{1,32}[-_.]){0,8}[a-z]{0,32}(?:pass(?:wd|word|phrase)?|pwd|secret|token"
              + "|api[-_]?key|apikey|access[-_]?key|private[-_]?key|account[-_]?key|secret[-_]?key|credentials?)");

  /** Longest name judged: a longer one is judged by its last characters. */
  static final int MAX_NAME = 64;

  private SecretNames() {}

  /** {@code name} (of {@code name=value}, a JSON field, a header) announces a secret value. */
  static boolean isSecret(CharSequence name) {
    String n = name.toString().toLowerCase(Locale.ROOT);
    if (n.length() > MAX_NAME) {
      n = n.substring(n.length() - MAX_NAME);
    }
    if (EXACT.contains(n)) {
      return true;
    }
    for (String w : CONTAINS) {
      if (n.contains(w)) return true;
    }
    for (String s : SUFFIXES) {
      if (n.endsWith(s)) return true;
    }
    // auth, oauth, x-auth-token, but not author
    for (int i = n.indexOf("auth"); i >= 0; i = n.indexOf("auth", i + 1)) {
      if (!n.startsWith("or", i + 4)) return true;
    }
    return false;
  }

  /** A flag ({@code --db-password}) whose next argument is the secret. */
  static boolean isFlag(String w) {
    return w.length() <= MAX_NAME && w.startsWith("-") && FLAG.matcher(w).matches();
  }

  /** A bare word ({@code password}, {@code aws_secret_access_key}) before a secret value. */
  static boolean isWord(String w) {
    return w.length() <= MAX_NAME
        && !w.isEmpty()
        && Character.isLetter(w.charAt(0))
        && WORD.matcher(w).matches();
  }
}

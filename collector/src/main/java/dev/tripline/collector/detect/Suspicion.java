package dev.tripline.collector.detect;

import dev.tripline.collector.kind.KindTable;
import dev.tripline.model.EventKind;
import java.util.List;
import java.util.Locale;

/**
 * How much a normalised target looks like something an attacker wants, by its words: key material,
 * secrets, credentials stores, shells. Used where Tripline must choose what to show among many
 * (which of 10 000 swallowed targets an overflow alert names) and what is never swallowed ({@link
 * #SENSITIVE}: alerts on its own even past the per-kind bound). A heuristic on words, not a rule:
 * known-bad rules still decide what alerts whatever the profile says.
 */
public final class Suspicion {
  /** A target scoring this much always alerts on its own, whatever bound it is past. */
  public static final int SENSITIVE = 50;

  private record Word(String text, int score) {}

  // Ordered by weight; a target scores its best word (words never add up, so a long path of
  // many weak words cannot outrank one key file).
  private static final List<Word> FILE_WORDS =
      List.of(
          new Word("/.ssh/", 90),
          new Word("id_rsa", 90),
          new Word("id_ed25519", 90),
          new Word("id_ecdsa", 90),
          new Word("/etc/shadow", 90),
          new Word("/etc/gshadow", 90),
          new Word("/.aws/", 90),
          new Word("/.kube/", 80),
          new Word("kubeconfig", 80),
          new Word("/var/run/secrets/", 80),
          new Word("/run/secrets/", 80),
          new Word("/.docker/config.json", 80),
          new Word("/.netrc", 80),
          new Word("/.pgpass", 80),
          new Word("/.git-credentials", 80),
          new Word("/environ", 70),
          new Word("/proc/*/mem", 70),
          new Word("vault", 70),
          new Word("secret", 70),
          new Word("credential", 70),
          new Word("password", 70),
          new Word("passwd", 60),
          new Word("private", 60),
          new Word("master.key", 80),
          new Word(".key", 60),
          new Word(".pem", 60),
          new Word(".p12", 60),
          new Word(".pfx", 60),
          new Word(".jks", 60),
          new Word(".keystore", 60),
          new Word("token", 60),
          new Word("wallet", 60),
          new Word("/etc/sudoers", 60),
          new Word(".bash_history", 55),
          new Word("/root/", 40),
          new Word("/etc/", 20),
          new Word(".sh", 15),
          new Word(".jsp", 15),
          new Word(".class", 10),
          new Word(".jar", 10));
  private static final List<Word> COMMAND_WORDS =
      List.of(
          new Word("/dev/tcp/", 90),
          new Word(" nc ", 80),
          new Word("ncat", 80),
          new Word("socat", 80),
          new Word("curl", 50),
          new Word("wget", 50),
          new Word("/sh", 40),
          new Word("bash", 40),
          new Word("python", 40),
          new Word("perl", 40),
          new Word("base64", 40),
          new Word("chmod", 30));
  private static final List<Word> NETWORK_WORDS =
      List.of(
          new Word("169.254.169.254", 90),
          new Word("metadata", 70),
          new Word(":4444", 60),
          new Word(":22", 40),
          new Word("ldap", 40),
          new Word("rmi", 40));

  private Suspicion() {}

  /** 0 (nothing notable) to 100, from the normalised target's words for the kind's family. */
  public static int score(EventKind kind, String target) {
    String t = " " + target.toLowerCase(Locale.ROOT) + " ";
    List<Word> words =
        switch (KindTable.of(kind).target()) {
          case PATH, RENAMED_PATH, CODE -> FILE_WORDS;
          case COMMAND -> COMMAND_WORDS;
          case ENDPOINT, DNS_NAME, LOCAL_PORT -> NETWORK_WORDS;
          case NONE -> List.of();
        };
    int best = 0;
    for (Word w : words) {
      if (w.score() > best && t.contains(w.text())) {
        best = w.score();
      }
    }
    return best;
  }

  /** True when the target alerts on its own even past its kind's bound. */
  public static boolean sensitive(EventKind kind, String target) {
    return score(kind, target) >= SENSITIVE;
  }
}

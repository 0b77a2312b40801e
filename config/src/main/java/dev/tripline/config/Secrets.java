package dev.tripline.config;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Secrets from files: a value {@code @file:/path} is replaced by that file's content, trimmed (a
 * mounted Kubernetes Secret, say), so that passwords stay out of the environment and the process
 * list.
 */
public final class Secrets {
  public static final String FILE_PREFIX = "@file:";

  /**
   * A secret is a password, a token, a JAAS line or a PEM chain: a file larger than this is a
   * mistake (or /dev/zero).
   */
  public static final int MAX_BYTES = 1 << 20;

  private Secrets() {}

  public static boolean isFileReference(String value) {
    return value.startsWith(FILE_PREFIX);
  }

  /**
   * The path of a file reference ({@code @file:/run/secrets/token} → {@code /run/secrets/token}).
   */
  public static String path(String value) {
    return value.substring(FILE_PREFIX.length());
  }

  /** {@code value} itself, or the content of the file it names. */
  public static String resolve(String value) throws IOException {
    if (!isFileReference(value)) {
      return value;
    }
    try (InputStream in = new FileInputStream(path(value))) {
      byte[] content = in.readNBytes(MAX_BYTES + 1);
      if (content.length > MAX_BYTES) {
        throw new IOException("larger than " + (MAX_BYTES >> 20) + " MiB");
      }
      return new String(content, StandardCharsets.UTF_8).trim();
    }
  }

  /** An undeclared key (a pass-through Kafka setting) whose name says it holds a secret. */
  public static boolean looksSecret(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    return k.contains("password")
        || k.contains("secret")
        || k.contains("token")
        || k.contains("jaas");
  }
}

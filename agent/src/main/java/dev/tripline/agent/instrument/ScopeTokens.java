package dev.tripline.agent.instrument;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;

/**
 * Random, distinct tokens for the woven code of request scopes ({@link Hook#entryToken}): read from
 * {@code /dev/urandom} once at start-up (a few bytes, no security provider to load in {@code
 * premain}), else from {@link SecureRandom}. Never 0 or 1 (what a plain report passes), never
 * twice. Used by {@link Hooks}' constructor only; nothing keeps this object.
 */
final class ScopeTokens {
  private final Set<Integer> given = new HashSet<>();
  private final byte[] pool = new byte[64];
  private int at = pool.length;

  int next() {
    while (true) {
      if (at + 4 > pool.length) {
        fill(pool);
        at = 0;
      }
      int t =
          (pool[at] & 0xff) << 24
              | (pool[at + 1] & 0xff) << 16
              | (pool[at + 2] & 0xff) << 8
              | (pool[at + 3] & 0xff);
      at += 4;
      if (t != 0 && t != 1 && given.add(t)) {
        return t;
      }
    }
  }

  private static void fill(byte[] bytes) {
    try (InputStream in = new FileInputStream("/dev/urandom")) {
      int n = 0;
      while (n < bytes.length) {
        int r = in.read(bytes, n, bytes.length - n);
        if (r < 0) {
          throw new IOException("end of /dev/urandom");
        }
        n += r;
      }
    } catch (IOException | RuntimeException e) {
      new SecureRandom().nextBytes(bytes); // not Linux, or no /dev/urandom in this container
    }
  }
}

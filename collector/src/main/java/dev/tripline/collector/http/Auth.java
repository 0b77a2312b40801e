package dev.tripline.collector.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;

/**
 * Who is asking: a bearer token (tools, the CLI) or a console session cookie obtained by logging in
 * with the token. Tokens are compared in constant time before anything else: the right token is
 * always accepted; every wrong one counts against its address and against all addresses together
 * ({@link LoginThrottle}), and past either budget is answered 429. Sessions live in memory: they
 * end at their TTL, on logout, on {@link #revokeAll()}, and when the collector restarts (so a new
 * token revokes them).
 */
final class Auth {
  static final String SESSION_COOKIE = "tripline_session";
  static final String CSRF_COOKIE = "tripline_csrf";
  static final String CSRF_HEADER = "X-Tripline-CSRF";
  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * The authenticated caller; actions are recorded under its name. {@code session} is null for
   * bearer tokens.
   */
  record Principal(String name, @Nullable Session session) {
    boolean cookieSession() {
      return session != null;
    }
  }

  record Session(String id, String csrf) {}

  /** A wrong token past a failure budget: answer 429 with Retry-After. */
  static final class Throttled extends RuntimeException {
    final long retryAfterSeconds;

    Throttled(long retryAfterSeconds, boolean global) {
      super(
          (global
                  ? "too many failed logins from all addresses"
                  : "too many failed logins from this address")
              + "; retry in "
              + retryAfterSeconds
              + " s",
          null,
          false,
          false);
      this.retryAfterSeconds = retryAfterSeconds;
    }
  }

  private final String token;
  private final boolean generated;
  private final Cache<String, Session> sessions;
  private final LoginThrottle throttle;
  private final HttpMetrics metrics;

  Auth(String configured, HttpLimits limits, HttpMetrics metrics) {
    this.generated = configured == null || configured.isBlank();
    this.token = generated ? random() : configured.trim();
    this.metrics = metrics;
    this.sessions =
        Caffeine.newBuilder().expireAfterWrite(limits.sessionTtl()).maximumSize(10_000).build();
    this.throttle =
        new LoginThrottle(
            limits.loginFailuresPerMinute(),
            limits.loginFailuresGlobalPerMinute(),
            Ticker.systemTicker());
  }

  String token() {
    return token;
  }

  boolean generated() {
    return generated;
  }

  /**
   * The caller, or null when it presented no credentials or wrong ones; throws {@link Throttled}.
   */
  @Nullable Principal authenticate(Exchange ex) {
    String header = ex.header("Authorization");
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return presented(ex, header.substring(7).trim()) ? new Principal("admin", null) : null;
    }
    String id = cookie(ex, SESSION_COOKIE);
    Session s = id == null ? null : sessions.getIfPresent(id);
    return s == null ? null : new Principal("admin", s);
  }

  /** A cookie session must echo its CSRF cookie in a header: another site's form cannot. */
  static boolean csrfOk(Exchange ex, Session s) {
    String sent = ex.header(CSRF_HEADER);
    return sent != null
        && MessageDigest.isEqual(
            s.csrf().getBytes(StandardCharsets.UTF_8), sent.getBytes(StandardCharsets.UTF_8));
  }

  /** A new session for the right token, null for a wrong one; throws {@link Throttled}. */
  @Nullable Session login(Exchange ex, String presented) {
    if (!presented(ex, presented)) {
      return null;
    }
    Session s = new Session(random(), random());
    sessions.put(s.id(), s);
    return s;
  }

  void logout(Session s) {
    sessions.invalidate(s.id());
  }

  /** Ends every console session (bearer tokens are unaffected); returns how many there were. */
  long revokeAll() {
    sessions.cleanUp();
    long n = sessions.estimatedSize();
    sessions.invalidateAll();
    return n;
  }

  /**
   * True for the right token. The token is compared first (in constant time) and a right one is
   * never throttled; a wrong one is counted and, past a budget, answered 429 ({@link Throttled}).
   */
  private boolean presented(Exchange ex, String presented) {
    if (MessageDigest.isEqual(
        token.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8))) {
      return true;
    }
    metrics.rejected(HttpMetrics.AUTH_FAILED);
    LoginThrottle.Verdict v = throttle.failed(ex.clientAddress());
    if (v.throttled()) {
      metrics.rejected(
          v.global() ? HttpMetrics.LOGIN_THROTTLED_GLOBAL : HttpMetrics.LOGIN_THROTTLED);
      throw new Throttled(v.retryAfterSeconds(), v.global());
    }
    return false;
  }

  private static @Nullable String cookie(Exchange ex, String name) {
    String header = ex.header("Cookie");
    if (header == null) {
      return null;
    }
    for (String part : header.split(";", -1)) {
      String p = part.trim();
      if (p.startsWith(name + "=")) {
        return p.substring(name.length() + 1);
      }
    }
    return null;
  }

  private static String random() {
    byte[] b = new byte[24];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}

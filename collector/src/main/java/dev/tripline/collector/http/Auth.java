package dev.tripline.collector.http;

import com.sun.net.httpserver.HttpExchange;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who is asking: a bearer token (tools, the CLI) or a console session cookie obtained by logging in
 * with the token. Tokens are compared in constant time; sessions expire after 12 hours.
 */
final class Auth {
  static final String SESSION_COOKIE = "tripline_session";
  static final String CSRF_COOKIE = "tripline_csrf";
  static final String CSRF_HEADER = "X-Tripline-CSRF";
  private static final long SESSION_MS = 12 * 3_600_000L;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** The authenticated caller; actions are recorded under its name. */
  record Principal(String name, boolean cookieSession) {}

  record Session(String id, String csrf, long expiresMs) {}

  private final String token;
  private final boolean generated;
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();

  Auth(String configured) {
    this.generated = configured == null || configured.isBlank();
    this.token = generated ? random() : configured.trim();
  }

  String token() {
    return token;
  }

  boolean generated() {
    return generated;
  }

  Principal authenticate(HttpExchange ex) {
    String header = ex.getRequestHeaders().getFirst("Authorization");
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return matches(header.substring(7).trim()) ? new Principal("admin", false) : null;
    }
    String id = cookie(ex, SESSION_COOKIE);
    Session s = id == null ? null : sessions.get(id);
    if (s == null || s.expiresMs() < System.currentTimeMillis()) {
      if (s != null) sessions.remove(id);
      return null;
    }
    return new Principal("admin", true);
  }

  /** A cookie session must echo its CSRF cookie in a header: another site's form cannot. */
  boolean csrfOk(HttpExchange ex) {
    Session s = sessions.get(cookie(ex, SESSION_COOKIE));
    String sent = ex.getRequestHeaders().getFirst(CSRF_HEADER);
    return s != null && sent != null && MessageDigest.isEqual(s.csrf().getBytes(StandardCharsets.UTF_8), sent.getBytes(StandardCharsets.UTF_8));
  }

  Session login(String presented) {
    if (!matches(presented)) {
      return null;
    }
    Session s = new Session(random(), random(), System.currentTimeMillis() + SESSION_MS);
    sessions.put(s.id(), s);
    return s;
  }

  private boolean matches(String presented) {
    return MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
  }

  private static String cookie(HttpExchange ex, String name) {
    String header = ex.getRequestHeaders().getFirst("Cookie");
    if (header == null) {
      return null;
    }
    for (String part : header.split(";")) {
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

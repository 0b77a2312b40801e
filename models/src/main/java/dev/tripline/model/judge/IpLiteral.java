package dev.tripline.model.judge;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * An IP address written as text, parsed to its bytes without ever resolving a name: rules compare
 * addresses, not spellings. Java writes {@code fd00:ec2::254} as {@code fd00:ec2:0:0:0:0:0:254}; an
 * application may write {@code [FD00:EC2::0254]}, {@code ::ffff:169.254.169.254} or {@code
 * 64:ff9b::a9fe:a9fe} (NAT64) — all name the same endpoint.
 */
public final class IpLiteral {
  private IpLiteral() {}

  /**
   * The address as a canonical key (hex of its bytes; an IPv4 address embedded in IPv6 — mapped,
   * compatible or NAT64 — as the IPv4 one), or null when {@code text} is not an IP literal.
   */
  public static @Nullable String key(String text) {
    byte[] b = parse(text);
    return b == null ? null : hex(b);
  }

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /** Lower-case hex of the bytes (Java 11 has no HexFormat). */
  private static String hex(byte[] b) {
    char[] out = new char[b.length * 2];
    for (int i = 0; i < b.length; i++) {
      out[2 * i] = HEX[(b[i] >> 4) & 0xf];
      out[2 * i + 1] = HEX[b[i] & 0xf];
    }
    return new String(out);
  }

  /** The address's bytes (4 or 16), or null when {@code text} is not an IP literal. */
  static byte @Nullable [] parse(String text) {
    String s = text.trim();
    if (s.length() > 64) return null; // longer than any literal
    if (s.startsWith("[") && s.endsWith("]")) s = s.substring(1, s.length() - 1);
    int zone = s.indexOf('%');
    if (zone >= 0) s = s.substring(0, zone);
    if (s.indexOf(':') < 0) return v4(s);
    byte[] v6 = v6(s.toLowerCase(Locale.ROOT));
    return v6 == null ? null : embeddedV4(v6);
  }

  /** Dotted quad, each part 0–255 in decimal. */
  private static byte @Nullable [] v4(String s) {
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) return null;
    byte[] out = new byte[4];
    for (int i = 0; i < 4; i++) {
      String p = parts[i];
      if (p.isEmpty() || p.length() > 3) return null;
      int v = 0;
      for (int j = 0; j < p.length(); j++) {
        char c = p.charAt(j);
        if (c < '0' || c > '9') return null;
        v = v * 10 + (c - '0');
      }
      if (v > 255) return null;
      out[i] = (byte) v;
    }
    return out;
  }

  private static byte @Nullable [] v6(String s) {
    int gap = s.indexOf("::");
    if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) return null;
    int[] head = groups(gap < 0 ? s : s.substring(0, gap));
    int[] tail = gap < 0 ? new int[0] : groups(s.substring(gap + 2));
    if (head == null || tail == null) return null;
    int n = head.length + tail.length;
    if (gap < 0 ? n != 8 : n > 7) return null;
    byte[] out = new byte[16];
    for (int i = 0; i < head.length; i++) put(out, i, head[i]);
    for (int i = 0; i < tail.length; i++) put(out, 8 - tail.length + i, tail[i]);
    return out;
  }

  private static void put(byte[] out, int group, int value) {
    out[group * 2] = (byte) (value >> 8);
    out[group * 2 + 1] = (byte) value;
  }

  /** Colon-separated 16-bit groups; a trailing dotted quad counts as two. Null if malformed. */
  private static int @Nullable [] groups(String s) {
    if (s.isEmpty()) return new int[0];
    String[] parts = s.split(":", -1);
    int quad = parts[parts.length - 1].indexOf('.') >= 0 ? 1 : 0;
    int[] out = new int[parts.length + quad];
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i];
      if (i == parts.length - 1 && quad == 1) {
        byte[] v4 = v4(p);
        if (v4 == null) return null;
        out[i] = ((v4[0] & 0xff) << 8) | (v4[1] & 0xff);
        out[i + 1] = ((v4[2] & 0xff) << 8) | (v4[3] & 0xff);
        continue;
      }
      if (p.isEmpty() || p.length() > 4) return null;
      int v = 0;
      for (int j = 0; j < p.length(); j++) {
        int d = Character.digit(p.charAt(j), 16);
        if (d < 0) return null;
        v = v * 16 + d;
      }
      out[i] = v;
    }
    return out;
  }

  /** ::ffff:a.b.c.d, ::a.b.c.d and 64:ff9b::a.b.c.d reach a.b.c.d. */
  private static byte[] embeddedV4(byte[] v6) {
    boolean zero10 = true;
    for (int i = 0; i < 10; i++) zero10 &= v6[i] == 0;
    boolean mapped = zero10 && (v6[10] & 0xff) == 0xff && (v6[11] & 0xff) == 0xff;
    boolean compatible = zero10 && v6[10] == 0 && v6[11] == 0 && !allZero(v6, 12, 14);
    boolean nat64 =
        (v6[0] & 0xff) == 0x00
            && (v6[1] & 0xff) == 0x64
            && (v6[2] & 0xff) == 0xff
            && (v6[3] & 0xff) == 0x9b
            && allZero(v6, 4, 12);
    if (mapped || compatible || nat64) {
      return new byte[] {v6[12], v6[13], v6[14], v6[15]};
    }
    return v6;
  }

  private static boolean allZero(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) if (b[i] != 0) return false;
    return true;
  }
}

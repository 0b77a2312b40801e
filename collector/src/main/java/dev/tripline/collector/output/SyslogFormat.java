package dev.tripline.collector.output;

import dev.tripline.collector.alert.OcsfJson;
import dev.tripline.model.Alert;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * RFC 5424 messages carrying CEF or the OCSF JSON. Written here, not taken from a library: the
 * format is one line of fixed fields plus escaping, and the Java syslog clients on Maven Central
 * are unmaintained or bring a logging framework (docs/outputs.md). Facility 4 (security); the
 * structured data {@code [tripline@32473 …]} uses the documentation enterprise number (RFC 5612).
 */
final class SyslogFormat {
  static final int FACILITY_SECURITY = 4;
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").withZone(ZoneOffset.UTC);

  private SyslogFormat() {}

  /** One RFC 5424 message (no framing). */
  static String message(Notice n, String hostname, boolean cef) {
    Alert a = n.alert();
    int pri = FACILITY_SECURITY * 8 + severity(a);
    return "<"
        + pri
        + ">1 "
        + TIME.format(Instant.ofEpochMilli(Math.max(0, a.getLastSeenMs())))
        + " "
        + header(hostname, 255)
        + " tripline - "
        + header(a.getReason().name(), 32)
        + " [tripline@32473 id=\""
        + param(a.getId())
        + "\" service=\""
        + param(a.getService())
        + "\" event=\""
        + n.kind().name().toLowerCase(java.util.Locale.ROOT)
        + "\"] "
        + (cef ? cef(n) : OcsfJson.of(a));
  }

  /** Syslog severity: CRITICAL 2 (crit), HIGH 3 (err), MEDIUM 4, LOW 5, INFO 6. */
  static int severity(Alert a) {
    return switch (a.getSeverity()) {
      case CRITICAL -> 2;
      case HIGH -> 3;
      case MEDIUM -> 4;
      case LOW -> 5;
      case INFO, SEVERITY_UNSPECIFIED, UNRECOGNIZED -> 6;
    };
  }

  /** ArcSight CEF: {@code CEF:0|vendor|product|version|class|name|severity|extension}. */
  static String cef(Notice n) {
    Alert a = n.alert();
    int sev =
        switch (a.getSeverity()) {
          case CRITICAL -> 10;
          case HIGH -> 8;
          case MEDIUM -> 5;
          case LOW -> 3;
          case INFO, SEVERITY_UNSPECIFIED, UNRECOGNIZED -> 1;
        };
    StringBuilder b = new StringBuilder("CEF:0|Tripline|Tripline Collector|1|");
    b.append(cefHeader(a.getReason().name())).append('|');
    b.append(cefHeader(HttpPost.clip(a.getTitle(), 512))).append('|').append(sev).append('|');
    b.append("rt=").append(a.getLastSeenMs());
    ext(b, "externalId", a.getId());
    ext(b, "cs1Label", "service");
    ext(b, "cs1", a.getService());
    ext(b, "cs2Label", "callSite");
    ext(b, "cs2", AlertText.callSite(a));
    ext(b, "cs3Label", "mitre");
    ext(b, "cs3", AlertText.mitre(a));
    ext(b, "cs4Label", "rule");
    ext(b, "cs4", a.getRule());
    ext(b, "act", a.getDisposition().name());
    ext(b, "cnt", Long.toString(a.getCount()));
    ext(b, "msg", HttpPost.clip(a.getDescription(), 1024));
    return b.toString();
  }

  private static void ext(StringBuilder b, String key, String value) {
    b.append(' ').append(key).append('=');
    for (int i = 0; i < value.length() && i < 2048; i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\\' -> b.append("\\\\");
        case '=' -> b.append("\\=");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        default -> b.append(Character.isISOControl(c) ? ' ' : c);
      }
    }
  }

  private static String cefHeader(String s) {
    return s.replace("\\", "\\\\").replace("|", "\\|").replaceAll("[\\r\\n]", " ");
  }

  /** A header field: printable US-ASCII, no spaces, at most {@code max}; "-" when empty. */
  static String header(String s, int max) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && b.length() < max; i++) {
      char c = s.charAt(i);
      b.append(c > 32 && c < 127 ? c : '_');
    }
    return b.length() == 0 ? "-" : b.toString();
  }

  /** A structured-data value: {@code " \ ]} escaped (RFC 5424 §6.3.3), cut at 256. */
  static String param(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && i < 256; i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\' || c == ']') {
        b.append('\\');
      }
      b.append(Character.isISOControl(c) ? ' ' : c);
    }
    return b.toString();
  }
}

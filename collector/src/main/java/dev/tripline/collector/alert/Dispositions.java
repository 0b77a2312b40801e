package dev.tripline.collector.alert;

import dev.tripline.model.Disposition;
import java.util.Map;

/**
 * What protection did about an alert's call, in the words of each output: OCSF's security-control
 * attributes for SIEMs, a short label for the API, console and terminal. {@link
 * Disposition#DISPOSITION_NONE} (only told) adds nothing anywhere, so alerts of unprotected
 * services read as before.
 */
public final class Dispositions {
  /** OCSF action_id: the activity was allowed / denied. */
  static final int OCSF_ACTION_ALLOWED = 1;

  static final int OCSF_ACTION_DENIED = 2;

  /** OCSF disposition_id 2 "Blocked"; 99 "Other", named by the source ("Would Block"). */
  static final int OCSF_DISPOSITION_BLOCKED = 2;

  static final int OCSF_DISPOSITION_OTHER = 99;

  private Dispositions() {}

  /** True when protection acted or would have: the outputs show it. */
  public static boolean shown(Disposition d) {
    return d == Disposition.BLOCKED || d == Disposition.WOULD_BLOCK;
  }

  /** "blocked", "would block", or "" when nothing is to be shown. */
  public static String label(Disposition d) {
    return switch (d) {
      case BLOCKED -> "blocked";
      case WOULD_BLOCK -> "would block";
      default -> "";
    };
  }

  /**
   * The OCSF security-control attributes (1.3): a blocked call is action Denied, disposition
   * Blocked; a dry run's call went ahead (action Allowed) and OCSF has no "would block", so it is
   * disposition Other named "Would Block", which SIEM rules can match exactly.
   */
  static void ocsf(Map<String, Object> doc, Disposition d) {
    if (d == Disposition.BLOCKED) {
      doc.put("action_id", OCSF_ACTION_DENIED);
      doc.put("action", "Denied");
      doc.put("disposition_id", OCSF_DISPOSITION_BLOCKED);
      doc.put("disposition", "Blocked");
    } else if (d == Disposition.WOULD_BLOCK) {
      doc.put("action_id", OCSF_ACTION_ALLOWED);
      doc.put("action", "Allowed");
      doc.put("disposition_id", OCSF_DISPOSITION_OTHER);
      doc.put("disposition", "Would Block");
    }
  }
}

package dev.tripline.collector.alert;

import dev.tripline.collector.detect.AlertFolding;
import dev.tripline.collector.kind.KindRow;
import dev.tripline.collector.kind.KindTable;
import dev.tripline.collector.profile.Profiles;
import dev.tripline.model.AgentIdentity;
import dev.tripline.model.Alert;
import dev.tripline.model.AlertReason;
import dev.tripline.model.AlertState;
import dev.tripline.model.CodeContext;
import dev.tripline.model.CodeTarget;
import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import dev.tripline.model.FileTarget;
import dev.tripline.model.ProcessTarget;
import dev.tripline.model.ProfileContext;
import dev.tripline.model.ProfileEntry;
import dev.tripline.model.Schema;
import dev.tripline.model.ServiceProfile;
import dev.tripline.model.Severity;
import dev.tripline.model.judge.KnownBadRules;
import dev.tripline.model.judge.Normalizer;
import dev.tripline.model.judge.TargetShape;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/** Builds alerts: what happened, where in the code, and what the profile considered normal. */
public final class Alerts {
  private static final int CONTEXT_TARGETS = 5;

  private Alerts() {}

  /**
   * Stable per (service, reason, normalised behaviour, call-site class): repeats fold into one
   * alert.
   */
  public static String id(String service, AlertReason reason, String profileKey, Event e) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      String basis =
          service + "\n" + reason + "\n" + profileKey + "\n" + e.getCallSite().getClassName();
      return HexFormat.of().formatHex(sha.digest(basis.getBytes(StandardCharsets.UTF_8)), 0, 10);
    } catch (NoSuchAlgorithmException ex) {
      throw new IllegalStateException(ex);
    }
  }

  /**
   * What an analyst tells apart within one alert: the whole command line of a process (the
   * profile's key keeps only its shape: {@code /bin/sh -c *}), else the normalised target.
   */
  public static String evidence(Event e) {
    return AlertFolding.sample(
        e.getTargetCase() == Event.TargetCase.PROCESS ? describe(e) : Normalizer.target(e));
  }

  /**
   * The id of a known-bad alert: per distinct command (its {@link AlertFolding#evidenceKey}, words
   * kept, numbers folded), so a reverse shell never folds into an acknowledged health-check shell
   * of the same class; {@code variantsFull} folds further commands into the shape's one alert (an
   * attacker inventing commands cannot grow the alert store without bound).
   */
  public static String knownBadId(String service, Event e, boolean variantsFull) {
    String key = Normalizer.key(e);
    if (e.getTargetCase() != Event.TargetCase.PROCESS || variantsFull) {
      return id(service, AlertReason.KNOWN_BAD, key, e);
    }
    return id(
        service, AlertReason.KNOWN_BAD, key + "\n" + AlertFolding.evidenceKey(evidence(e)), e);
  }

  public static Alert knownBad(
      ServiceProfile profile, AgentIdentity agent, Event e, KnownBadRules.Rule rule, long now) {
    String key = Normalizer.key(e);
    String via = via(rule.contextOf(e).orElse(firstContext(e)));
    return base(profile, agent, e, AlertReason.KNOWN_BAD, key, now)
        .setId(knownBadId(profile.getService(), e, false))
        .setSeverity(rule.severity())
        .setRule(rule.id())
        .setMitre(rule.mitre())
        .setTitle(rule.title() + ": " + describe(e) + via)
        .setDescription(
            rule.title()
                + ". "
                + where(e)
                + linkNote(e)
                + " This matches Tripline's known-bad rule '"
                + rule.id()
                + "', which alerts whatever the service's profile says (also while it is learning).")
        .build();
  }

  /** A listing's title: a FILE_READ of a directory is no file read ("New file read: /var/log"). */
  static final String LISTED = "New directory listed: ";

  public static Alert newBehaviour(ServiceProfile profile, AgentIdentity agent, Event e, long now) {
    String key = Normalizer.key(e);
    KindRow kind = KindTable.of(e.getKind());
    String title =
        (Profiles.isListing(e) ? LISTED : kind.title())
            + (kind.target() == TargetShape.NONE ? "" : describe(e))
            + via(firstContext(e));
    return base(profile, agent, e, kind.reason(), key, now)
        .setSeverity(kind.severity())
        .setMitre(kind.mitre())
        .setTitle(title)
        .setDescription(
            title
                + ". "
                + where(e)
                + linkNote(e)
                + " The service '"
                + profile.getService()
                + "' has been monitored since its profile was learned, and never did this before.")
        .build();
  }

  /**
   * A known behaviour performed by code that never did it: LOW, MEDIUM when a context frame (JNDI,
   * deserializer…) is on the stack.
   */
  public static Alert newCodePath(
      ServiceProfile profile,
      AgentIdentity agent,
      Event e,
      ProfileEntry entry,
      String owner,
      long now) {
    String key = Normalizer.key(e);
    String owners = String.join(", ", entry.getCodeOwnersList());
    String title =
        "Known behaviour from new code: "
            + (Profiles.isListing(e) ? "listing of" : KindTable.of(e.getKind()).done())
            + " "
            + describe(e)
            + " from "
            + owner
            + via(firstContext(e));
    ProfileContext context =
        context(profile, e.getKind(), now).toBuilder()
            .setSummary("this behaviour is normally performed by: " + owners)
            .build();
    return base(profile, agent, e, AlertReason.NEW_CODE_PATH, key, now)
        .setSeverity(e.getContextsCount() > 0 ? Severity.MEDIUM : Severity.LOW)
        .setMitre(KindTable.of(e.getKind()).mitre())
        .setRule("code-owner")
        .setTitle(title)
        .setContext(context)
        .setDescription(
            title
                + ". "
                + where(e)
                + " The service '"
                + profile.getService()
                + "' does this normally, but only from "
                + owners
                + "; code in "
                + owner
                + " never did it before (a new code path to a known target: a template engine "
                + "reaching the database, an XML parser reading a file). Accept the alert to add "
                + owner
                + " to the profile.")
        .build();
  }

  private static Alert.Builder base(
      ServiceProfile profile,
      AgentIdentity agent,
      Event e,
      AlertReason reason,
      String key,
      long now) {
    Alert.Builder b = Alert.newBuilder();
    if (e.hasRequest()) {
      b.setRequest(e.getRequest()); // the triggering event's request, at the alert's top level
    }
    return b.setSchemaVersion(Schema.VERSION)
        .setId(id(profile.getService(), reason, key, e))
        .setTimeMs(now)
        .setLastSeenMs(now)
        .setService(profile.getService())
        .addInstances(agent.getInstanceId())
        .setReason(reason)
        .setEvent(e)
        .setDisposition(e.getDisposition()) // protect mode: what the agent did with the call
        .setAgent(agent)
        .setNormalizedTarget(key.substring(key.indexOf('|') + 1))
        .setContext(context(profile, e.getKind(), now))
        .setCount(Math.max(1, e.getCount()))
        .addSamples(evidence(e))
        .setState(AlertState.OPEN);
  }

  /** "normally connects to: db:5432, cache:6379 (+3 more)". */
  public static ProfileContext context(ServiceProfile profile, EventKind kind, long now) {
    String family = Normalizer.kindFamily(kind);
    List<ProfileEntry> same =
        profile.getEntriesList().stream()
            .filter(en -> Normalizer.kindFamily(en.getKind()).equals(family))
            .sorted((a, b) -> Long.compare(b.getCount(), a.getCount()))
            .collect(Collectors.toList());
    List<String> shown =
        same.stream()
            .limit(CONTEXT_TARGETS)
            .map(ProfileEntry::getTarget)
            .collect(Collectors.toList());
    String verb = KindTable.of(kind).normally();
    String summary =
        same.isEmpty()
            ? verb + ": nothing (this is the first)"
            : verb
                + ": "
                + String.join(", ", shown)
                + (same.size() > shown.size()
                    ? " (+" + (same.size() - shown.size()) + " more)"
                    : "");
    return ProfileContext.newBuilder()
        .setState(profile.getState())
        .setSummary(summary)
        .addAllKnownTargets(shown)
        .setKnownCount(same.size())
        .setProfileAgeMs(Math.max(0, now - profile.getCreatedMs()))
        .build();
  }

  /**
   * The target the kernel touched (real path, folded), with what the application asked for beside
   * it when that differs: "/etc/passwd (requested as data/../../etc/passwd)".
   */
  public static String describe(Event e) {
    return switch (e.getTargetCase()) {
      case NETWORK -> {
        if (Normalizer.isUnix(e.getNetwork())) {
          yield "unix:" + Normalizer.socketPath(e.getNetwork());
        }
        String host =
            e.getNetwork().getHost().isEmpty() ? e.getNetwork().getIp() : e.getNetwork().getHost();
        yield KindTable.of(e.getKind()).target() == TargetShape.LOCAL_PORT
            ? "port " + e.getNetwork().getPort()
            : host + ":" + e.getNetwork().getPort();
      }
      case DNS ->
          e.getDns().getReverse()
              ? "reverse lookup of "
                  + e.getDns().getQuery()
                  + (e.getDns().getResolvedIpsCount() == 0
                      ? ""
                      : " -> " + String.join(", ", e.getDns().getResolvedIpsList()))
              : e.getDns().getQuery();
      case FILE -> {
        FileTarget f = e.getFile();
        String judged = Normalizer.judgedPath(f);
        String shown =
            f.getNewPath().isEmpty() ? judged : judged + " -> " + Normalizer.judgedNewPath(f);
        String requested = requestedPath(f);
        yield requested.isEmpty() ? shown : shown + " (requested as " + requested + ")";
      }
      case PROCESS -> {
        // what really runs: the variables that change it first
        ProcessTarget p = e.getProcess();
        StringBuilder b = new StringBuilder();
        for (String env : p.getEnvList()) b.append(env).append(' ');
        b.append(String.join(" ", p.getArgvList()));
        // a shell under another name says so (the real path of a plain "sh" stays out: it is
        // the evidence an analyst compares, unchanged for what the agent always sent)
        if (!p.getSameAs().isEmpty())
          b.append(" (same program as ").append(p.getSameAs()).append(')');
        yield b.toString();
      }
      case CODE -> code(e.getCode());
      case TARGET_NOT_SET -> "";
    };
  }

  /**
   * "/tmp/libx.so (writable directory)", "/srv/providers/p.jar", or for a class with no origin on
   * disk "hidden class com.acme.F/0x… defined by com.acme.Host (app.jar), no origin on disk".
   */
  static String code(CodeTarget c) {
    String path = Normalizer.judgedCodePath(c);
    if (!path.isEmpty()) {
      return path + (c.getWritableDir() ? " (writable directory)" : "");
    }
    String what = "hidden".equals(c.getOrigin()) ? "hidden class " : "class defined from bytes ";
    return what
        + c.getClassName()
        + (c.getDefinedBy().isEmpty() ? "" : " defined by " + c.getDefinedBy())
        + ", no origin on disk";
  }

  /** The path as the application gave it, when it differs from the judged one; else "". */
  public static String requestedPath(FileTarget f) {
    String judged = Normalizer.judgedPath(f);
    if (!f.getRequestedPath().isEmpty() && !f.getRequestedPath().equals(judged)) {
      return f.getRequestedPath();
    }
    return !f.getPath().isEmpty() && !f.getPath().equals(judged) ? f.getPath() : "";
  }

  /** " via JndiManager.lookup in log4j-core-2.14.1.jar (jndi)", or "" without a context frame. */
  public static String via(@Nullable CodeContext c) {
    return c == null ? "" : " via " + frame(c) + " (" + c.getCategory() + ")";
  }

  /** "JndiManager.lookup in log4j-core-2.14.1.jar". */
  public static String frame(CodeContext c) {
    return shortFrame(c.getFrame())
        + (c.getJarName().isEmpty() ? "" : " in " + artifact(c.getJarName(), c.getArchive()));
  }

  /**
   * "logback-core-1.5.20.jar (app.jar)": the jar and the deployable it is nested in, when there is
   * one and the jar name does not already say it ("app.jar (BOOT-INF/classes)").
   */
  public static String artifact(String jarName, String archive) {
    return archive.isEmpty() || jarName.startsWith(archive)
        ? jarName
        : jarName + " (" + archive + ")";
  }

  /**
   * "; handed off via http-client" when the call site reached the I/O through another thread, else
   * "".
   */
  public static String handoff(dev.tripline.model.CallSite c) {
    return c.getHandoff().isEmpty() ? "" : "; handed off via " + c.getHandoff();
  }

  /** {@code org.apache.logging.log4j.core.net.JndiManager.lookup} → {@code JndiManager.lookup}. */
  static String shortFrame(String frame) {
    int method = frame.lastIndexOf('.');
    int cls = method <= 0 ? -1 : frame.lastIndexOf('.', method - 1);
    return cls < 0 ? frame : frame.substring(cls + 1);
  }

  private static @Nullable CodeContext firstContext(Event e) {
    return e.getContextsCount() == 0 ? null : e.getContexts(0);
  }

  private static String linkNote(Event e) {
    if (!e.hasFile() || e.getFile().getRealPath().isEmpty()) {
      return "";
    }
    return " The path "
        + e.getFile().getPath()
        + " passes through a symbolic link; the file read is "
        + e.getFile().getRealPath()
        + ".";
  }

  private static String where(Event e) {
    var c = e.getCallSite();
    if (c.getClassName().isEmpty()) {
      return "No application frame was on the stack (JDK-internal thread)."
          + (e.hasRequest() ? " It happened " + RequestText.during(e.getRequest()) + "." : "");
    }
    return "Caused by "
        + c.getClassName()
        + "."
        + c.getMethodName()
        + " (line "
        + c.getLineNumber()
        + ")"
        + (c.getJarName().isEmpty() ? "" : " in " + artifact(c.getJarName(), c.getArchive()))
        + handoff(c)
        + "."
        + (e.hasRequest() ? " It happened " + RequestText.during(e.getRequest()) + "." : "");
  }
}

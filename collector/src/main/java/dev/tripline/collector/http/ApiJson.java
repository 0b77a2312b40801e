package dev.tripline.collector.http;

import dev.tripline.collector.alert.Dispositions;
import dev.tripline.collector.alert.Incidents;
import dev.tripline.collector.alert.RequestText;
import dev.tripline.collector.protect.ProtectionControl;
import dev.tripline.collector.protect.ProtectionModes;
import dev.tripline.model.AgentHealth;
import dev.tripline.model.Alert;
import dev.tripline.model.AnalystAction;
import dev.tripline.model.CallSite;
import dev.tripline.model.Event;
import dev.tripline.model.InstanceSeen;
import dev.tripline.model.ProfileEntry;
import dev.tripline.model.ServiceProfile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The REST API's JSON shapes (documented in docs/api.md). */
public final class ApiJson {
  private ApiJson() {}

  public static Map<String, Object> alert(Alert a) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", a.getId());
    m.put("time", a.getTimeMs());
    m.put("lastSeen", a.getLastSeenMs());
    m.put("severity", a.getSeverity().name());
    m.put("service", a.getService());
    m.put("reason", a.getReason().name());
    m.put("state", a.getState().name());
    if (Dispositions.shown(a.getDisposition())) {
      m.put("disposition", a.getDisposition().name()); // absent when protection did nothing
    }
    m.put("title", a.getTitle());
    m.put("description", a.getDescription());
    m.put("count", a.getCount());
    m.put("samples", a.getSamplesList());
    m.put("samplesDropped", a.getSamplesDropped());
    m.put("reopened", a.getReopened());
    m.put("instances", a.getInstancesList());
    m.put("normalizedTarget", a.getNormalizedTarget());
    m.put("rule", a.getRule());
    m.put("score", a.getScore());
    m.put("callSite", callSite(a.getEvent().getCallSite()));
    m.put("event", event(a.getEvent()));
    m.put("request", a.hasRequest() ? RequestText.json(a.getRequest()) : null);
    m.put("incident", Incidents.key(a)); // instance/traceId: alerts sharing it are one incident
    m.put("host", a.getAgent().getHost());
    m.put("pod", a.getAgent().getK8SPod());
    m.put(
        "profileContext",
        Map.of(
            "state",
            a.getContext().getState().name(),
            "summary",
            a.getContext().getSummary(),
            "knownTargets",
            a.getContext().getKnownTargetsList()));
    m.put(
        "mitre",
        a.getMitre().getId().isEmpty()
            ? null
            : Map.of(
                "id",
                a.getMitre().getId(),
                "name",
                a.getMitre().getName(),
                "tactic",
                a.getMitre().getTactic()));
    List<Object> history = new ArrayList<>();
    for (AnalystAction h : a.getHistoryList()) history.add(action(h));
    m.put("history", history);
    return m;
  }

  /**
   * One incident: its alerts (ids, reasons, titles) oldest first, as {@code GET /api/incidents}.
   */
  public static Map<String, Object> incident(Incidents.Incident i) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("incident", i.key());
    m.put("traceId", i.traceId());
    m.put("instance", i.instance());
    m.put("service", i.alerts().get(0).getService());
    m.put("first", i.alerts().get(0).getTimeMs());
    m.put("last", i.alerts().get(i.alerts().size() - 1).getTimeMs());
    List<Object> alerts = new ArrayList<>();
    for (Alert a : i.alerts()) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("id", a.getId());
      one.put("time", a.getTimeMs());
      one.put("severity", a.getSeverity().name());
      one.put("reason", a.getReason().name());
      one.put("title", a.getTitle());
      one.put("route", a.getRequest().getRoute());
      alerts.add(one);
    }
    m.put("alerts", alerts);
    return m;
  }

  static Map<String, Object> callSite(CallSite c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("className", c.getClassName());
    m.put("methodName", c.getMethodName());
    m.put("lineNumber", c.getLineNumber());
    m.put("jar", c.getJarName());
    m.put("archive", c.getArchive());
    m.put("handoff", c.getHandoff());
    m.put("codeLocation", c.getCodeLocation());
    m.put("frames", c.getFramesList());
    return m;
  }

  static Map<String, Object> event(Event e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kind", e.getKind().name());
    m.put(
        "target",
        switch (e.getTargetCase()) {
          case NETWORK ->
              Map.of(
                  "host",
                  e.getNetwork().getHost(),
                  "ip",
                  e.getNetwork().getIp(),
                  "port",
                  e.getNetwork().getPort(),
                  "protocol",
                  e.getNetwork().getProtocol());
          case DNS ->
              Map.of(
                  "query", e.getDns().getQuery(), "resolvedIps", e.getDns().getResolvedIpsList());
          case FILE -> Map.of("path", e.getFile().getPath(), "newPath", e.getFile().getNewPath());
          case PROCESS ->
              Map.of(
                  "executable",
                  e.getProcess().getExecutable(),
                  "argv",
                  e.getProcess().getArgvList());
          case CODE ->
              Map.of(
                  "path",
                  e.getCode().getPath(),
                  "realPath",
                  e.getCode().getRealPath(),
                  "loader",
                  e.getCode().getLoader(),
                  "origin",
                  e.getCode().getOrigin(),
                  "className",
                  e.getCode().getClassName(),
                  "definedBy",
                  e.getCode().getDefinedBy(),
                  "writableDir",
                  e.getCode().getWritableDir());
          case TARGET_NOT_SET -> Map.of();
        });
    m.put("success", e.getSuccess());
    m.put("error", e.getError());
    m.put("thread", e.getThreadName());
    return m;
  }

  static Map<String, Object> profile(ServiceProfile p, boolean withEntries) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("service", p.getService());
    m.put("state", p.getState().name());
    m.put("created", p.getCreatedMs());
    m.put("learningUntil", p.getLearningUntilMs());
    m.put("lastNew", p.getLastNewMs());
    m.put("stateChanged", p.getStateChangedMs());
    m.put("stateChangedBy", p.getStateChangedBy());
    m.put("eventsTotal", p.getEventsTotal());
    m.put("entryCount", p.getEntriesCount());
    List<Object> instances = new ArrayList<>();
    for (InstanceSeen i : p.getInstancesMap().values()) {
      instances.add(instance(i));
    }
    m.put("instances", instances);
    if (withEntries) {
      List<Object> entries = new ArrayList<>();
      for (ProfileEntry e : p.getEntriesList()) {
        Map<String, Object> em = new LinkedHashMap<>();
        em.put("kind", e.getKind().name());
        em.put("target", e.getTarget());
        em.put("callSite", e.getCallSite());
        em.put("firstSeen", e.getFirstSeenMs());
        em.put("lastSeen", e.getLastSeenMs());
        em.put("count", e.getCount());
        em.put("origin", e.getOrigin());
        em.put(
            "codeOwners",
            e.getCodeOwnersList()); // which jars or packages perform it (NEW_CODE_PATH)
        em.put(
            "generalized",
            e.getGeneralized()); // one entry standing for many targets (profile bounds)
        em.put("listing", e.getListing()); // a directory listed, not a file read
        entries.add(em);
      }
      m.put("entries", entries);
    }
    return m;
  }

  /**
   * One instance with its last heartbeat's health: what it could not hook, what it dropped and how
   * it was configured, so an analyst sees an instance that is half blind ({@code status} DEGRADED).
   */
  static Map<String, Object> instance(InstanceSeen i) {
    AgentHealth h = i.getLastHealth();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("instanceId", i.getAgent().getInstanceId());
    m.put("host", i.getAgent().getHost());
    m.put("pod", i.getAgent().getK8SPod());
    m.put("firstSeen", i.getFirstSeenMs());
    m.put("lastSeen", i.getLastSeenMs());
    m.put("agentVersion", i.getAgent().getAgentVersion());
    m.put("eventsDropped", h.getEventsDropped());
    m.put("droppedByReason", new TreeMap<>(h.getDroppedByReasonMap()));
    m.put("stringsTruncated", h.getStringsTruncated());
    m.put("configWarnings", h.getConfigWarningsList());
    m.put("hooksApplied", h.getHooksAppliedList());
    m.put("hooksMissing", h.getHooksMissingList());
    m.put("errors", h.getErrors());
    m.put("batchesFailed", h.getBatchesFailed());
    List<String> problems = new ArrayList<>();
    if (h.getHooksMissingCount() > 0)
      problems.add(
          h.getHooksMissingCount()
              + " hook(s) missing: "
              + String.join(", ", h.getHooksMissingList()));
    if (h.getEventsDropped() > 0) problems.add(h.getEventsDropped() + " event(s) dropped");
    if (h.getConfigWarningsCount() > 0)
      problems.add(h.getConfigWarningsCount() + " configuration warning(s)");
    if (h.getStringsTruncated() > 0) problems.add(h.getStringsTruncated() + " string(s) truncated");
    if (h.getErrors() > 0) problems.add(h.getErrors() + " agent error(s)");
    // Protect mode as this instance enforces it (docs/protection.md "Fail open")
    Map<String, Object> protection = new LinkedHashMap<>();
    protection.put("mode", ProtectionModes.text(h.getProtectionMode()));
    protection.put("failedOpen", h.getProtectionFailedOpen());
    protection.put("reason", h.getProtectionReason());
    protection.put("policyVersion", h.getProtectionPolicyVersion());
    protection.put("counts", new TreeMap<>(h.getProtectionCountsMap()));
    m.put("protection", protection);
    if (h.getProtectionFailedOpen())
      problems.add("protection failed open: " + h.getProtectionReason());
    m.put("status", problems.isEmpty() ? "OK" : "DEGRADED");
    m.put("problems", problems);
    return m;
  }

  static Map<String, Object> action(AnalystAction a) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", a.getId());
    m.put("time", a.getTimeMs());
    m.put("actor", a.getActor());
    m.put("type", a.getType().name());
    m.put("service", a.getService());
    m.put("alertId", a.getAlertId());
    m.put("comment", a.getComment());
    if (a.hasProtection()) { // SET_PROTECTION: from what to what
      m.put("protection", ProtectionControl.json(a.getService(), Optional.of(a.getProtection())));
      m.put(
          "protectionBefore",
          ProtectionControl.json(
              a.getService(),
              a.hasProtectionBefore() ? Optional.of(a.getProtectionBefore()) : Optional.empty()));
    }
    return m;
  }
}

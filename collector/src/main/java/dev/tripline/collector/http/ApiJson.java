package dev.tripline.collector.http;

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

/** The REST API's JSON shapes (documented in docs/api.md). */
final class ApiJson {
  private ApiJson() {}

  static Map<String, Object> alert(Alert a) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", a.getId());
    m.put("time", a.getTimeMs());
    m.put("lastSeen", a.getLastSeenMs());
    m.put("severity", a.getSeverity().name());
    m.put("service", a.getService());
    m.put("reason", a.getReason().name());
    m.put("state", a.getState().name());
    m.put("title", a.getTitle());
    m.put("description", a.getDescription());
    m.put("count", a.getCount());
    m.put("instances", a.getInstancesList());
    m.put("normalizedTarget", a.getNormalizedTarget());
    m.put("rule", a.getRule());
    m.put("score", a.getScore());
    m.put("callSite", callSite(a.getEvent().getCallSite()));
    m.put("event", event(a.getEvent()));
    m.put("host", a.getAgent().getHost());
    m.put("pod", a.getAgent().getK8SPod());
    m.put("profileContext", Map.of("state", a.getContext().getState().name(), "summary", a.getContext().getSummary(),
        "knownTargets", a.getContext().getKnownTargetsList()));
    m.put("mitre", a.getMitre().getId().isEmpty() ? null
        : Map.of("id", a.getMitre().getId(), "name", a.getMitre().getName(), "tactic", a.getMitre().getTactic()));
    List<Object> history = new ArrayList<>();
    for (AnalystAction h : a.getHistoryList()) history.add(action(h));
    m.put("history", history);
    return m;
  }

  static Map<String, Object> callSite(CallSite c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("className", c.getClassName());
    m.put("methodName", c.getMethodName());
    m.put("lineNumber", c.getLineNumber());
    m.put("jar", c.getJarName());
    m.put("codeLocation", c.getCodeLocation());
    m.put("frames", c.getFramesList());
    return m;
  }

  static Map<String, Object> event(Event e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kind", e.getKind().name());
    switch (e.getTargetCase()) {
      case NETWORK -> m.put("target", Map.of("host", e.getNetwork().getHost(), "ip", e.getNetwork().getIp(),
          "port", e.getNetwork().getPort(), "protocol", e.getNetwork().getProtocol()));
      case DNS -> m.put("target", Map.of("query", e.getDns().getQuery(), "resolvedIps", e.getDns().getResolvedIpsList()));
      case FILE -> m.put("target", Map.of("path", e.getFile().getPath(), "newPath", e.getFile().getNewPath()));
      case PROCESS -> m.put("target", Map.of("executable", e.getProcess().getExecutable(), "argv", e.getProcess().getArgvList()));
      default -> m.put("target", Map.of());
    }
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
      instances.add(Map.of("instanceId", i.getAgent().getInstanceId(), "host", i.getAgent().getHost(),
          "pod", i.getAgent().getK8SPod(), "firstSeen", i.getFirstSeenMs(), "lastSeen", i.getLastSeenMs(),
          "agentVersion", i.getAgent().getAgentVersion(), "eventsDropped", i.getLastHealth().getEventsDropped()));
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
        entries.add(em);
      }
      m.put("entries", entries);
    }
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
    return m;
  }
}

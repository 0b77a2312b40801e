package dev.tripline.agent.pipeline;

import dev.tripline.model.AgentHealth;
import dev.tripline.model.AgentIdentity;
import dev.tripline.model.CallSite;
import dev.tripline.model.Event;

/** The JSON-lines form of an event: flat, stable field names, no library needed. */
final class EventJson {
  private EventJson() {}

  static void write(StringBuilder sb, AgentIdentity agent, Event e) {
    sb.append('{');
    field(sb, "kind", e.getKind().name());
    field(sb, "service", agent.getService());
    field(sb, "instanceId", agent.getInstanceId());
    switch (e.getTargetCase()) {
      case NETWORK:
        field(sb, "host", e.getNetwork().getHost());
        field(sb, "ip", e.getNetwork().getIp());
        number(sb, "port", e.getNetwork().getPort());
        field(sb, "protocol", e.getNetwork().getProtocol());
        if (!e.getNetwork().getPath().isEmpty()) field(sb, "path", e.getNetwork().getPath());
        if (!e.getNetwork().getSameFileAs().isEmpty())
          field(sb, "sameFileAs", e.getNetwork().getSameFileAs());
        break;
      case DNS:
        field(sb, "query", e.getDns().getQuery());
        array(sb, "resolvedIps", e.getDns().getResolvedIpsList());
        if (e.getDns().getReverse()) sb.append("\"reverse\":true,");
        break;
      case FILE:
        field(sb, "path", e.getFile().getPath());
        if (!e.getFile().getNewPath().isEmpty()) field(sb, "newPath", e.getFile().getNewPath());
        if (!e.getFile().getRequestedPath().isEmpty())
          field(sb, "requestedPath", e.getFile().getRequestedPath());
        if (!e.getFile().getRealPath().isEmpty()) field(sb, "realPath", e.getFile().getRealPath());
        if (!e.getFile().getNewRealPath().isEmpty())
          field(sb, "newRealPath", e.getFile().getNewRealPath());
        if (e.getFile().getDirectory()) sb.append("\"directory\":true,");
        if (!e.getFile().getSameFileAs().isEmpty())
          field(sb, "sameFileAs", e.getFile().getSameFileAs());
        if (e.getFile().getLinks() > 0) number(sb, "links", e.getFile().getLinks());
        break;
      case PROCESS:
        field(sb, "executable", e.getProcess().getExecutable());
        array(sb, "argv", e.getProcess().getArgvList());
        if (!e.getProcess().getRealPath().isEmpty())
          field(sb, "realPath", e.getProcess().getRealPath());
        if (!e.getProcess().getSameAs().isEmpty()) field(sb, "sameAs", e.getProcess().getSameAs());
        if (e.getProcess().getEnvCount() > 0) array(sb, "env", e.getProcess().getEnvList());
        break;
      case CODE:
        field(sb, "path", e.getCode().getPath());
        if (!e.getCode().getRealPath().isEmpty()) field(sb, "realPath", e.getCode().getRealPath());
        field(sb, "loader", e.getCode().getLoader());
        if (!e.getCode().getOrigin().isEmpty()) field(sb, "origin", e.getCode().getOrigin());
        if (!e.getCode().getClassName().isEmpty())
          field(sb, "className", e.getCode().getClassName());
        if (!e.getCode().getDefinedBy().isEmpty())
          field(sb, "definedBy", e.getCode().getDefinedBy());
        if (e.getCode().getWritableDir()) sb.append("\"writableDir\":true,");
        break;
      case TARGET_NOT_SET:
        break;
    }
    CallSite c = e.getCallSite();
    sb.append("\"callSite\":{");
    field(sb, "className", c.getClassName());
    field(sb, "methodName", c.getMethodName());
    number(sb, "lineNumber", c.getLineNumber());
    field(sb, "sourceFile", c.getSourceFile());
    field(sb, "jarName", c.getJarName());
    field(sb, "codeLocation", c.getCodeLocation());
    if (!c.getArchive().isEmpty()) field(sb, "archive", c.getArchive());
    if (!c.getHandoff().isEmpty()) field(sb, "handoff", c.getHandoff());
    if (!c.getOrigin().isEmpty()) field(sb, "origin", c.getOrigin());
    trimComma(sb);
    sb.append("},");
    if (e.getContextsCount() > 0) {
      sb.append("\"contexts\":[");
      for (dev.tripline.model.CodeContext x : e.getContextsList()) {
        sb.append('{');
        field(sb, "category", x.getCategory());
        field(sb, "frame", x.getFrame());
        field(sb, "jarName", x.getJarName());
        if (!x.getArchive().isEmpty()) field(sb, "archive", x.getArchive());
        trimComma(sb);
        sb.append("},");
      }
      trimComma(sb);
      sb.append("],");
    }
    if (e.hasRequest()) {
      request(sb, e.getRequest());
    }
    sb.append("\"success\":").append(e.getSuccess()).append(',');
    if (!e.getError().isEmpty()) field(sb, "error", e.getError());
    number(sb, "count", e.getCount());
    number(sb, "firstSeenMs", e.getFirstSeenMs());
    number(sb, "lastSeenMs", e.getLastSeenMs());
    sb.append("\"firstOccurrence\":").append(e.getFirstOccurrence()).append(',');
    field(sb, "thread", e.getThreadName());
    sb.append("\"virtualThread\":").append(e.getVirtualThread());
    sb.append('}');
  }

  static void writeHealth(StringBuilder sb, AgentIdentity agent, AgentHealth h) {
    sb.append('{');
    field(sb, "kind", "AGENT_HEALTH");
    field(sb, "service", agent.getService());
    field(sb, "instanceId", agent.getInstanceId());
    number(sb, "eventsSeen", h.getEventsSeen());
    number(sb, "eventsSent", h.getEventsSent());
    number(sb, "eventsDropped", h.getEventsDropped());
    number(sb, "errors", h.getErrors());
    number(sb, "queueDepth", h.getQueueDepth());
    if (h.getDroppedByReasonCount() > 0) {
      sb.append("\"droppedByReason\":{");
      h.getDroppedByReasonMap().forEach((reason, n) -> number(sb, reason, n));
      trimComma(sb);
      sb.append("},");
    }
    array(sb, "configWarnings", h.getConfigWarningsList());
    array(sb, "hooksApplied", h.getHooksAppliedList());
    array(sb, "hooksMissing", h.getHooksMissingList());
    number(sb, "canaryOk", h.getCanaryOk());
    number(sb, "canaryFailed", h.getCanaryFailed());
    number(sb, "tamperCount", h.getTamperCount());
    array(sb, "tamperFindings", h.getTamperFindingsList());
    number(sb, "requestFieldsCapped", h.getRequestFieldsCapped());
    number(sb, "requestForwardedCapped", h.getRequestForwardedCapped());
    number(sb, "requestTraceparentDropped", h.getRequestTraceparentDropped());
    number(sb, "requestReports", h.getRequestReports());
    number(sb, "requestReportsRefused", h.getRequestReportsRefused());
    if (h.getGoodbye()) {
      sb.append("\"goodbye\":true,");
    }
    trimComma(sb);
    sb.append('}');
  }

  private static void request(StringBuilder sb, dev.tripline.model.RequestContext r) {
    sb.append("\"request\":{");
    field(sb, "server", r.getServer());
    field(sb, "method", r.getMethod());
    if (!r.getRoute().isEmpty()) field(sb, "route", r.getRoute());
    field(sb, "path", r.getPath());
    if (!r.getQuery().isEmpty()) field(sb, "query", r.getQuery());
    field(sb, "clientAddress", r.getClientAddress());
    number(sb, "serverPort", r.getServerPort());
    if (r.getForwardedForCount() > 0) {
      array(sb, "forwardedFor", r.getForwardedForList());
      sb.append("\"forwardedByClient\":true,");
    }
    if (!r.getTraceId().isEmpty()) field(sb, "traceId", r.getTraceId());
    if (!r.getSpanId().isEmpty()) field(sb, "spanId", r.getSpanId());
    if (r.getPathCapped()) sb.append("\"pathCapped\":true,");
    if (r.getQueryCapped()) sb.append("\"queryCapped\":true,");
    if (r.getForwardedCapped()) sb.append("\"forwardedCapped\":true,");
    if (r.getTraceparentDropped()) sb.append("\"traceparentDropped\":true,");
    trimComma(sb);
    sb.append("},");
  }

  private static void field(StringBuilder sb, String name, String value) {
    sb.append('"').append(name).append("\":");
    string(sb, value);
    sb.append(',');
  }

  private static void number(StringBuilder sb, String name, long value) {
    sb.append('"').append(name).append("\":").append(value).append(',');
  }

  private static void array(StringBuilder sb, String name, java.util.List<String> values) {
    sb.append('"').append(name).append("\":[");
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) sb.append(',');
      string(sb, values.get(i));
    }
    sb.append("],");
  }

  private static void trimComma(StringBuilder sb) {
    if (sb.charAt(sb.length() - 1) == ',') sb.setLength(sb.length() - 1);
  }

  static void string(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    sb.append('"');
  }
}

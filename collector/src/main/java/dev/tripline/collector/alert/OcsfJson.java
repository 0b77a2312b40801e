package dev.tripline.collector.alert;

import dev.tripline.collector.json.Json;
import dev.tripline.model.Alert;
import dev.tripline.model.CallSite;
import dev.tripline.model.CodeContext;
import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import dev.tripline.model.judge.Normalizer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An alert as an OCSF 1.x Detection Finding (class 2004), the shape SIEM pipelines (Splunk,
 * Elastic, Sentinel, Security Lake) already map. Tripline specifics (call site, profile context) go
 * under {@code unmapped}, as OCSF intends.
 */
public final class OcsfJson {
  static final int CLASS_UID = 2004;
  static final int CATEGORY_UID = 2;
  static final int ACTIVITY_CREATE = 1;
  static final int ACTIVITY_UPDATE = 2;

  private OcsfJson() {}

  public static String of(Alert a) {
    boolean update = a.getCount() > 1;
    int activity = update ? ACTIVITY_UPDATE : ACTIVITY_CREATE;
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("class_uid", CLASS_UID);
    doc.put("class_name", "Detection Finding");
    doc.put("category_uid", CATEGORY_UID);
    doc.put("category_name", "Findings");
    doc.put("activity_id", activity);
    doc.put("activity_name", update ? "Update" : "Create");
    doc.put("type_uid", CLASS_UID * 100 + activity);
    doc.put("time", a.getLastSeenMs());
    doc.put("severity_id", a.getSeverityValue()); // OCSF 1..5 = Informational..Critical, as ours
    doc.put("severity", title(a.getSeverity().name()));
    doc.put("status_id", a.getStateValue());
    doc.put("status", title(a.getState().name()));
    doc.put("count", a.getCount());
    doc.put("message", a.getTitle());
    Dispositions.ocsf(doc, a.getDisposition());

    Map<String, Object> finding = new LinkedHashMap<>();
    finding.put("uid", a.getId());
    finding.put("title", a.getTitle());
    finding.put("desc", a.getDescription());
    finding.put("types", List.of(a.getReason().name()));
    finding.put("created_time", a.getTimeMs());
    finding.put("last_seen_time", a.getLastSeenMs());
    if (a.hasMitre() && !a.getMitre().getId().isEmpty()) {
      Map<String, Object> technique =
          Map.of("uid", a.getMitre().getId(), "name", a.getMitre().getName());
      Map<String, Object> attack = new LinkedHashMap<>();
      attack.put("technique", technique);
      attack.put("tactic", Map.of("name", a.getMitre().getTactic()));
      finding.put("attacks", List.of(attack));
    }
    doc.put("finding_info", finding);

    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("version", "1.3.0");
    metadata.put(
        "product",
        Map.of(
            "name",
            "Tripline",
            "vendor_name",
            "Tripline",
            "version",
            a.getAgent().getAgentVersion()));
    if (Dispositions.shown(a.getDisposition())) {
      metadata.put("profiles", List.of("security_control")); // where action/disposition come from
    }
    if (a.hasRequest() && !a.getRequest().getTraceId().isEmpty()) {
      // the W3C trace id: joins this finding to the request's trace in the SIEM
      metadata.put("correlation_uid", a.getRequest().getTraceId());
    }
    doc.put("metadata", metadata);
    Map<String, Object> device = new LinkedHashMap<>();
    device.put("hostname", a.getAgent().getHost());
    device.put(
        "container",
        Map.of(
            "uid",
            a.getAgent().getContainerId(),
            "image",
            Map.of("name", a.getAgent().getImage())));
    device.put("namespace_pid", a.getAgent().getPid());
    doc.put("device", device);
    doc.put(
        "resources",
        List.of(
            Map.of(
                "type",
                "service",
                "name",
                a.getService(),
                "labels",
                List.of(
                    "namespace:" + a.getAgent().getK8SNamespace(),
                    "pod:" + a.getAgent().getK8SPod()))));
    Map<String, Object> evidence = evidence(a.getEvent());
    if (a.hasRequest()) {
      evidence.put("http_request", RequestText.ocsfHttpRequest(a.getRequest()));
      evidence.put("src_endpoint", RequestText.ocsfSrcEndpoint(a.getRequest()));
    }
    doc.put("evidences", List.of(evidence));

    Map<String, Object> unmapped = new LinkedHashMap<>();
    unmapped.put("tripline_reason", a.getReason().name());
    unmapped.put("tripline_rule", a.getRule());
    unmapped.put("tripline_normalized_target", a.getNormalizedTarget());
    unmapped.put("tripline_instances", a.getInstancesList());
    unmapped.put("tripline_samples", a.getSamplesList());
    unmapped.put("tripline_samples_dropped", a.getSamplesDropped());
    unmapped.put("tripline_reopened", a.getReopened());
    unmapped.put("tripline_call_site", callSite(a.getEvent().getCallSite()));
    if (a.getEvent().hasFile() && !Alerts.requestedPath(a.getEvent().getFile()).isEmpty()) {
      unmapped.put("tripline_requested_path", Alerts.requestedPath(a.getEvent().getFile()));
    }
    if (a.getEvent().getContextsCount() > 0) {
      unmapped.put(
          "tripline_code_contexts",
          a.getEvent().getContextsList().stream().map(OcsfJson::context).toList());
    }
    if (a.hasRequest()) {
      unmapped.put("tripline_request_route", a.getRequest().getRoute());
      unmapped.put("tripline_request_forwarded_by_client", a.getRequest().getForwardedByClient());
      unmapped.put("tripline_request_span_id", a.getRequest().getSpanId());
    }
    unmapped.put("tripline_profile_state", a.getContext().getState().name());
    unmapped.put("tripline_profile_context", a.getContext().getSummary());
    unmapped.put("tripline_anomaly_score", a.getScore());
    doc.put("unmapped", unmapped);
    return Json.write(doc);
  }

  private static Map<String, Object> evidence(Event e) {
    Map<String, Object> ev = new LinkedHashMap<>();
    switch (e.getTargetCase()) {
      case NETWORK -> {
        if (Normalizer.isUnix(e.getNetwork())) {
          ev.put(
              "file", Map.of("path", Normalizer.socketPath(e.getNetwork()), "type", "Unix Socket"));
          ev.put("connection_info", Map.of("protocol_name", "unix"));
        } else {
          ev.put(
              "dst_endpoint",
              Map.of(
                  "hostname",
                  e.getNetwork().getHost(),
                  "ip",
                  e.getNetwork().getIp(),
                  "port",
                  e.getNetwork().getPort()));
          ev.put("connection_info", Map.of("protocol_name", e.getNetwork().getProtocol()));
        }
      }
      case DNS -> ev.put("query", Map.of("hostname", e.getDns().getQuery()));
      case FILE -> {
        String path = Normalizer.judgedPath(e.getFile()); // what the kernel touched
        ev.put("file", Map.of("path", path, "name", name(path))); // requested path: unmapped
      }
      case CODE -> {
        String code = Normalizer.judgedCodePath(e.getCode());
        Map<String, Object> module = new LinkedHashMap<>();
        if (!code.isEmpty()) {
          module.put("file", Map.of("path", code, "name", name(code)));
        } else {
          module.put("type", e.getCode().getOrigin() + " class " + e.getCode().getClassName());
        }
        module.put("load_type", e.getKind() == EventKind.NATIVE_LOAD ? "Standard" : "Reflective");
        ev.put("module", module);
      }
      case PROCESS ->
          ev.put(
              "process",
              Map.of(
                  "cmd_line",
                  String.join(" ", e.getProcess().getArgvList()),
                  "file",
                  Map.of("path", e.getProcess().getExecutable())));
      case TARGET_NOT_SET -> {}
    }
    ev.put("tripline_event_kind", e.getKind().name());
    return ev;
  }

  private static Map<String, Object> callSite(CallSite c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("class", c.getClassName());
    m.put("method", c.getMethodName());
    m.put("line", c.getLineNumber());
    m.put("jar", c.getJarName());
    if (!c.getArchive().isEmpty()) m.put("archive", c.getArchive());
    if (!c.getHandoff().isEmpty()) m.put("handoff", c.getHandoff());
    if (!c.getOrigin().isEmpty()) m.put("origin", c.getOrigin());
    m.put("code_location", c.getCodeLocation());
    return m;
  }

  private static Map<String, Object> context(CodeContext c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("category", c.getCategory());
    m.put("frame", c.getFrame());
    m.put("jar", c.getJarName());
    if (!c.getArchive().isEmpty()) m.put("archive", c.getArchive());
    return m;
  }

  private static String name(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  private static String title(String enumName) {
    return enumName.charAt(0) + enumName.substring(1).toLowerCase(Locale.ROOT);
  }
}

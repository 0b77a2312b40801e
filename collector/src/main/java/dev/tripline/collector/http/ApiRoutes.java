package dev.tripline.collector.http;

import dev.tripline.collector.alert.Incidents;
import dev.tripline.collector.api.AnalystBackend;
import dev.tripline.collector.api.NotFoundException;
import dev.tripline.collector.api.OutputControl;
import dev.tripline.collector.protect.ProtectionControl;
import dev.tripline.collector.protect.WouldBlock;
import dev.tripline.model.AlertReason;
import dev.tripline.model.AlertState;
import dev.tripline.model.AnalystAction;
import dev.tripline.model.Severity;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The REST API under {@code /api/} (docs/api.md), as one route table over the {@link
 * AnalystBackend}.
 */
final class ApiRoutes {
  static final int MAX_COMMENT = 8192;
  static final int MAX_LIMIT = 10_000;

  private ApiRoutes() {}

  static Routes table(
      AnalystBackend backend,
      Auth auth,
      ProtectionControl protection,
      Supplier<OutputControl> outputs) {
    return new Routes()
        .add("GET", "outputs", (ex, p, who) -> ex.json(200, outputs.get().outputs()))
        .add(
            "POST",
            "outputs/{name}/test",
            (ex, p, who) -> {
              JsonBody.parse(ex.body, Set.of());
              OutputControl.TestResult r =
                  outputs
                      .get()
                      .test(p.get("name"))
                      .orElseThrow(
                          () -> new NotFoundException("no output '" + p.get("name") + "'"));
              ex.json(200, r);
            })
        .add(
            "GET",
            "alerts",
            (ex, p, who) -> {
              var query = alertQuery(ex);
              ex.json(200, backend.alerts(query).stream().map(ApiJson::alert).toList());
            })
        .add(
            "GET",
            "incidents",
            (ex, p, who) -> {
              // the alerts the same filters give, grouped: one instance's alerts sharing a trace
              var query = alertQuery(ex);
              ex.json(
                  200,
                  Incidents.of(backend.alerts(query)).stream().map(ApiJson::incident).toList());
            })
        .add(
            "GET",
            "alerts/{id}",
            (ex, p, who) ->
                ex.json(
                    200,
                    ApiJson.alert(
                        backend
                            .alert(p.get("id"))
                            .orElseThrow(
                                () -> new NotFoundException("no alert '" + p.get("id") + "'")))))
        .add(
            "POST",
            "alerts/{id}/ack",
            (ex, p, who) -> alertAction(backend, ex, p.get("id"), who, "ack"))
        .add(
            "POST",
            "alerts/{id}/accept",
            (ex, p, who) -> alertAction(backend, ex, p.get("id"), who, "accept"))
        .add(
            "GET",
            "services",
            (ex, p, who) ->
                ex.json(
                    200, backend.profiles().stream().map(s -> ApiJson.profile(s, false)).toList()))
        .add(
            "GET",
            "services/{name}",
            (ex, p, who) ->
                ex.json(
                    200,
                    ApiJson.profile(
                        backend
                            .profile(p.get("name"))
                            .orElseThrow(
                                () -> new NotFoundException("no service '" + p.get("name") + "'")),
                        true)))
        .add(
            "POST",
            "services/{name}/state",
            (ex, p, who) -> {
              JsonBody body = JsonBody.parse(ex.body, Set.of("state"));
              String state =
                  body.string("state", ex.query.getOrDefault("state", ""), 32)
                      .toUpperCase(Locale.ROOT);
              if (!state.equals("LEARNING") && !state.equals("MONITORING")) {
                throw HttpError.badRequest("field 'state' must be LEARNING or MONITORING");
              }
              backend.submit(
                  AnalystAction.newBuilder()
                      .setType(
                          state.equals("LEARNING")
                              ? AnalystAction.ActionType.SET_LEARNING
                              : AnalystAction.ActionType.SET_MONITORING)
                      .setService(p.get("name"))
                      .setActor(who.name())
                      .build());
              ex.json(202, ordered("status", "recorded", "service", p.get("name"), "state", state));
            })
        .add(
            "POST",
            "services/{name}/retire",
            (ex, p, who) -> {
              JsonBody body = JsonBody.parse(ex.body, Set.of("comment"));
              // Recorded as an action (audited, with the actor) like every change an analyst makes.
              backend.submit(
                  AnalystAction.newBuilder()
                      .setType(AnalystAction.ActionType.RETIRE_SERVICE)
                      .setService(p.get("name"))
                      .setActor(who.name())
                      .setComment(body.string("comment", "", 1024))
                      .build());
              ex.json(
                  202, ordered("status", "recorded", "service", p.get("name"), "retired", true));
            })
        .add(
            "GET",
            "services/{name}/protection",
            (ex, p, who) -> ex.json(200, protection.view(p.get("name"))))
        .add(
            "PUT",
            "services/{name}/protection",
            // Audited with the actor, like every change an analyst makes (docs/protection.md).
            (ex, p, who) -> ex.json(200, protection.set(p.get("name"), ex.body, who.name())))
        .add(
            "GET",
            "services/{name}/would-block",
            (ex, p, who) -> {
              Duration window;
              try {
                window = WouldBlock.window(ex.query.get("window"));
              } catch (IllegalArgumentException e) {
                throw HttpError.badRequest(e.getMessage());
              }
              ex.json(
                  200, WouldBlock.view(backend, p.get("name"), window, System.currentTimeMillis()));
            })
        .add(
            "GET",
            "actions",
            (ex, p, who) ->
                ex.json(
                    200, backend.actions(limit(ex, 100)).stream().map(ApiJson::action).toList()))
        .add(
            "POST",
            "sessions/revoke",
            (ex, p, who) -> {
              JsonBody.parse(ex.body, Set.of());
              ex.json(200, ordered("status", "revoked", "sessions", auth.revokeAll()));
            });
  }

  private static void alertAction(
      AnalystBackend backend, Exchange ex, String id, Auth.Principal who, String action) {
    JsonBody body = JsonBody.parse(ex.body, Set.of("comment"));
    String comment = body.string("comment", "", MAX_COMMENT);
    backend.submit(
        AnalystAction.newBuilder()
            .setType(
                action.equals("ack")
                    ? AnalystAction.ActionType.ACKNOWLEDGE
                    : AnalystAction.ActionType.ACCEPT_INTO_PROFILE)
            .setAlertId(id)
            .setActor(who.name())
            .setComment(comment)
            .build());
    ex.json(202, ordered("status", "recorded", "alertId", id, "action", action));
  }

  private static int limit(Exchange ex, int fallback) {
    String raw = ex.query.get("limit");
    if (raw == null || raw.isEmpty()) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(raw.trim());
      if (n >= 1 && n <= MAX_LIMIT) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw HttpError.badRequest(
        "query parameter 'limit' must be a whole number from 1 to " + MAX_LIMIT);
  }

  private static <E extends Enum<E>> @Nullable E parseEnum(
      Class<E> type, String field, @Nullable String value) {
    if (value == null || value.isEmpty()) {
      return null;
    }
    try {
      return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw HttpError.badRequest(
          "query parameter '"
              + field
              + "' has no value '"
              + (value.length() > 64 ? value.substring(0, 64) + "…" : value)
              + "'");
    }
  }

  private static Map<String, Object> ordered(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  /** The alert filters a request names (service, severity, reason, state, limit): one parse. */
  private static AnalystBackend.AlertQuery alertQuery(Exchange ex) {
    return new AnalystBackend.AlertQuery(
        ex.query.get("service"),
        parseEnum(Severity.class, "severity", ex.query.get("severity")),
        parseEnum(AlertReason.class, "reason", ex.query.get("reason")),
        parseEnum(AlertState.class, "state", ex.query.get("state")),
        limit(ex, 200));
  }
}

package dev.tripline.agent.instrument;

import static dev.tripline.agent.instrument.Hook.Value.arg;

import dev.tripline.agent.pipeline.Observations;
import java.util.List;

/**
 * Reactor Netty's HTTP client, and Spring's WebClient on it, connect and resolve on Netty's event
 * loops, whose stacks hold only library frames. The code that asked names the URI on its own
 * thread: in WebClient's {@code uri(URI)} when it builds the request (the controller's frame is on
 * the stack even when the request is sent later, on an event loop), and in Reactor Netty's
 * {@code uri(...)} when it sends one (for code that uses Reactor Netty directly). The agent notes
 * which code asked for which host; the event loop's connection and lookup for that host take it as
 * their call site. Each {@code uri(String)} overload of WebClient ends in {@code uri(URI)}.
 */
final class ReactorNettyHooks extends HookGroup {
  private static final String FINALIZER = "reactor/netty/http/client/HttpClientFinalizer";

  @Override
  public String capture() {
    return "net";
  }

  @Override
  public List<Hook> hooks() {
    return List.of(
        Hook.handoff("handoff.WebClient.uri", "org/springframework/web/reactive/function/client/DefaultWebClient$DefaultRequestBodyUriSpec",
            "uri", "(Ljava/net/URI;)", 0, arg(0)),
        Hook.handoff("handoff.ReactorNetty.uri", FINALIZER, "uri", "(Ljava/net/URI;)", 0, arg(0)),
        Hook.handoff("handoff.ReactorNetty.uri", FINALIZER, "uri", "(Ljava/lang/String;)", 0, arg(0)));
  }

  @Override
  public void observe(int action, Object a, Object b, int n, Throwable error, Observations to) {
    to.reactiveRequest(a);
  }
}

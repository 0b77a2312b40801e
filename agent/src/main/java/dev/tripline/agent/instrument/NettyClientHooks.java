package dev.tripline.agent.instrument;

import static dev.tripline.agent.instrument.Hook.Value.arg;

import dev.tripline.agent.record.Observations;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Clients on Netty connect and resolve on Netty's event loops, whose stacks hold only library
 * frames. The code that asked names the target on its own thread: in WebClient's {@code uri(URI)}
 * when it builds a request (the controller's frame is on the stack even when the request is sent
 * later, from a scheduler's thread), in Reactor Netty's {@code uri(...)} when it sends one (code
 * that uses Reactor Netty directly), and in Netty's {@code Bootstrap} when any other client
 * (Lettuce, Redisson, Vert.x, Netty used directly) asks for a connection — every {@code
 * Bootstrap.connect} overload ends in its private {@code doResolveAndConnect}. The agent notes
 * which code asked for which host; the event loop's connection and lookup for that host take it as
 * their call site. Each {@code uri(String…)} overload of WebClient ends in {@code uri(URI)}.
 */
final class NettyClientHooks extends HookGroup {
  private static final String FINALIZER = "reactor/netty/http/client/HttpClientFinalizer";

  NettyClientHooks() {
    super("net");
  }

  // spotless:off — the rows read as a table: one hook per line
  @Override
  public List<Hook> hooks() {
    return List.of(
        Hook.handoff("handoff.WebClient.uri", "org/springframework/web/reactive/function/client/DefaultWebClient$DefaultRequestBodyUriSpec",
            "uri", "(Ljava/net/URI;)", 0, arg(0)),
        Hook.handoff("handoff.ReactorNetty.uri", FINALIZER, "uri", "(Ljava/net/URI;)", 0, arg(0)),
        Hook.handoff("handoff.ReactorNetty.uri", FINALIZER, "uri", "(Ljava/lang/String;)", 0, arg(0)),
        Hook.handoff("handoff.Netty.connect", "io/netty/bootstrap/Bootstrap", "doResolveAndConnect",
            "(Ljava/net/SocketAddress;Ljava/net/SocketAddress;)", 0, arg(0)));
  }
  // spotless:on

  @Override
  public void observe(
      int action,
      @Nullable Object a,
      @Nullable Object b,
      int n,
      @Nullable Throwable error,
      Observations to) {
    to.eventLoopRequest(a);
  }
}

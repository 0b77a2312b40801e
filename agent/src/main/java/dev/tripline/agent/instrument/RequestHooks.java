package dev.tripline.agent.instrument;

import static dev.tripline.agent.instrument.Hook.Value.arg;

import dev.tripline.agent.record.Observations;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Where a server starts handling one inbound request, so that what the request's code does carries
 * it (docs/detection.md "Request context"). Each hook is a scope ({@link Hook.Style#REQUEST}):
 * reported at entry and at exit, with the request object; the recorder keeps it on the thread while
 * the scope is open and reads its fields only when an event is recorded inside it.
 *
 * <ul>
 *   <li>The JDK's {@code com.sun.net.httpserver}: every exchange passes {@code
 *       Filter.Chain.doFilter} (the user filters' chain, then the handler).
 *   <li>Servlet containers (Tomcat, Jetty, Undertow), in both namespaces: {@code jakarta} (Servlet
 *       5+: Tomcat 10+, Spring Boot 3) and {@code javax} (Tomcat 9, Jetty 9, Spring Boot 2): every
 *       servlet request reaches {@code HttpServlet.service(ServletRequest, ServletResponse)},
 *       Spring MVC's {@code DispatcherServlet} included; its route template is the request
 *       attribute Spring's handler mapping sets, read when an event is recorded.
 *   <li>Reactor Netty (WebFlux on Netty): {@code HttpServerHandle.onStateChange}, which runs the
 *       application's handler for a request that arrived; WebFlux's handler mapping names the
 *       exchange (for its route template) when it matches one, inside that scope.
 * </ul>
 *
 * A server the agent does not know simply has no request context.
 */
final class RequestHooks extends HookGroup {
  private static final int WEBFLUX_MATCH = 1;

  RequestHooks() {
    super("net");
  }

  // spotless:off — the rows read as a table: one hook per line
  @Override
  public List<Hook> hooks() {
    return List.of(
        Hook.request("request.jdk-httpserver", "com/sun/net/httpserver/Filter$Chain", "doFilter",
            "(Lcom/sun/net/httpserver/HttpExchange;)", arg(0)).onDemand(),
        Hook.request("request.servlet", "jakarta/servlet/http/HttpServlet", "service",
            "(Ljakarta/servlet/ServletRequest;Ljakarta/servlet/ServletResponse;)", arg(0)),
        Hook.request("request.servlet-javax", "javax/servlet/http/HttpServlet", "service",
            "(Ljavax/servlet/ServletRequest;Ljavax/servlet/ServletResponse;)", arg(0)),
        Hook.request("request.reactor-netty", "reactor/netty/http/server/HttpServer$HttpServerHandle",
            "onStateChange", "(Lreactor/netty/Connection;Lreactor/netty/ConnectionObserver$State;)", arg(0)),
        // entry only: the matched exchange, whose attributes hold the route template
        Hook.handoff("request.webflux-route", "org/springframework/web/reactive/result/method/RequestMappingInfoHandlerMapping",
            "handleMatch", "(Lorg/springframework/web/reactive/result/method/RequestMappingInfo;"
                + "Lorg/springframework/web/method/HandlerMethod;Lorg/springframework/web/server/ServerWebExchange;)",
            WEBFLUX_MATCH, arg(2)));
  }
  // spotless:on

  @Override
  public Context context() {
    return Context.REQUEST;
  }

  @Override
  public void observe(
      int action,
      @Nullable Object a,
      @Nullable Object b,
      int n,
      @Nullable Throwable error,
      Observations to) {
    if (action == WEBFLUX_MATCH) {
      to.requestRoute(a);
    } else {
      to.request(a, n == 1 || Boolean.TRUE.equals(b));
    }
  }
}

package dev.tripline.agent.record;

import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.net.URI;
import org.jspecify.annotations.Nullable;

/**
 * Reads a request object of a server the agent knows, through the server's own public API, by
 * reflection (the agent links to none of them): a servlet request, the JDK's {@code HttpExchange},
 * Reactor Netty's server request, WebFlux's exchange (for its route only). The methods are looked
 * up once per request class. Only header getters by name are called, for the three headers read
 * ({@code X-Forwarded-For}, {@code Forwarded}, {@code traceparent}): never the body, the parameters
 * (which would read a form body), cookies or any other header.
 */
final class RequestReader {
  static final String SERVLET = "servlet";
  static final String JDK_HTTP = "jdk-httpserver";
  static final String REACTOR_NETTY = "reactor-netty";

  /** Spring MVC's {@code HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE}. */
  static final String MVC_PATTERN =
      "org.springframework.web.servlet.HandlerMapping.bestMatchingPattern";

  /** WebFlux's {@code HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE}. */
  static final String WEBFLUX_PATTERN =
      "org.springframework.web.reactive.HandlerMapping.bestMatchingPattern";

  /** What one request read gives: each field as the server holds it, or null. */
  static final class Raw {
    String server = "";
    @Nullable String method;
    @Nullable String path;
    @Nullable String query;
    @Nullable Object route;
    @Nullable String client;
    int port;
    @Nullable String xForwardedFor;
    @Nullable String forwarded;
    @Nullable String traceparent;
  }

  /** A request class's accessors; {@link #NONE} for a class the agent does not know. */
  private static final class Access {
    final String server;
    final Method[] m;

    Access(String server, Method... m) {
      this.server = server;
      this.m = m;
    }
  }

  private static final Access NONE = new Access("");

  private static final ClassValue<Access> ACCESS =
      new ClassValue<>() {
        @Override
        protected Access computeValue(Class<?> type) {
          try {
            return find(type);
          } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return NONE;
          }
        }
      };

  private RequestReader() {}

  /** The request's fields; null for an object of no known server. */
  static @Nullable Raw read(Object request) throws ReflectiveOperationException {
    Access a = ACCESS.get(request.getClass());
    Raw r = new Raw();
    r.server = a.server;
    switch (a.server) {
      case SERVLET:
        servlet(a.m, request, r);
        return r;
      case JDK_HTTP:
        jdk(a.m, request, r);
        return r;
      case REACTOR_NETTY:
        reactor(a.m, request, r);
        return r;
      default:
        return null;
    }
  }

  /** WebFlux's matched route, from its exchange's attributes; null when none. */
  static @Nullable Object webfluxRoute(Object exchange) throws ReflectiveOperationException {
    Class<?> api = visible(exchange.getClass(), "org.springframework.web.server.ServerWebExchange");
    if (api == null) {
      return null;
    }
    return api.getMethod("getAttribute", String.class).invoke(exchange, WEBFLUX_PATTERN);
  }

  private static Access find(Class<?> type) throws ReflectiveOperationException {
    for (String pkg : new String[] {"jakarta.servlet.http.", "javax.servlet.http."}) {
      Class<?> api = visible(type, pkg + "HttpServletRequest");
      if (api != null) {
        return new Access(
            SERVLET,
            api.getMethod("getMethod"),
            api.getMethod("getRequestURI"),
            api.getMethod("getQueryString"),
            api.getMethod("getRemoteAddr"),
            api.getMethod("getLocalPort"),
            api.getMethod("getHeader", String.class),
            api.getMethod("getAttribute", String.class));
      }
    }
    Class<?> exchange = visible(type, "com.sun.net.httpserver.HttpExchange");
    if (exchange != null) {
      Class<?> headers =
          Class.forName("com.sun.net.httpserver.Headers", false, exchange.getClassLoader());
      return new Access(
          JDK_HTTP,
          exchange.getMethod("getRequestMethod"),
          exchange.getMethod("getRequestURI"),
          exchange.getMethod("getRemoteAddress"),
          exchange.getMethod("getLocalAddress"),
          exchange.getMethod("getRequestHeaders"),
          headers.getMethod("getFirst", String.class),
          exchange.getMethod("getHttpContext"),
          Class.forName("com.sun.net.httpserver.HttpContext", false, exchange.getClassLoader())
              .getMethod("getPath"));
    }
    Class<?> reactor = visible(type, "reactor.netty.http.server.HttpServerRequest");
    if (reactor != null) {
      Class<?> headers =
          Class.forName("io.netty.handler.codec.http.HttpHeaders", false, reactor.getClassLoader());
      return new Access(
          REACTOR_NETTY,
          reactor.getMethod("method"),
          reactor.getMethod("uri"),
          reactor.getMethod("remoteAddress"),
          reactor.getMethod("hostAddress"),
          reactor.getMethod("requestHeaders"),
          headers.getMethod("get", String.class));
    }
    return NONE;
  }

  /** {@code name} as {@code type}'s loader sees it, when {@code type} is one; else null. */
  private static @Nullable Class<?> visible(Class<?> type, String name) {
    try {
      Class<?> api = Class.forName(name, false, type.getClassLoader());
      return api.isAssignableFrom(type) ? api : null;
    } catch (ClassNotFoundException | LinkageError e) {
      return null;
    }
  }

  private static void servlet(Method[] m, Object req, Raw r) throws ReflectiveOperationException {
    r.method = (String) m[0].invoke(req);
    r.path = (String) m[1].invoke(req);
    r.query = (String) m[2].invoke(req);
    r.client = (String) m[3].invoke(req);
    r.port = (Integer) m[4].invoke(req);
    r.xForwardedFor = (String) m[5].invoke(req, "X-Forwarded-For");
    r.forwarded = (String) m[5].invoke(req, "Forwarded");
    r.traceparent = (String) m[5].invoke(req, "traceparent");
    r.route = m[6].invoke(req, MVC_PATTERN);
  }

  private static void jdk(Method[] m, Object exchange, Raw r) throws ReflectiveOperationException {
    r.method = (String) m[0].invoke(exchange);
    URI uri = (URI) m[1].invoke(exchange);
    if (uri != null) {
      r.path = uri.getRawPath();
      r.query = uri.getRawQuery();
    }
    Object remote = m[2].invoke(exchange);
    if (remote instanceof InetSocketAddress) {
      r.client = address((InetSocketAddress) remote);
    }
    Object local = m[3].invoke(exchange);
    if (local instanceof InetSocketAddress) {
      r.port = ((InetSocketAddress) local).getPort();
    }
    Object headers = m[4].invoke(exchange);
    if (headers != null) {
      r.xForwardedFor = (String) m[5].invoke(headers, "X-Forwarded-For");
      r.forwarded = (String) m[5].invoke(headers, "Forwarded");
      r.traceparent = (String) m[5].invoke(headers, "traceparent");
    }
    Object context = m[6].invoke(exchange);
    if (context != null) {
      r.route = m[7].invoke(context); // the context's path: this server's only route
    }
  }

  private static void reactor(Method[] m, Object req, Raw r) throws ReflectiveOperationException {
    Object method = m[0].invoke(req);
    r.method = method == null ? null : method.toString();
    String uri = (String) m[1].invoke(req);
    if (uri != null) {
      int q = uri.indexOf('?');
      r.path = q < 0 ? uri : uri.substring(0, q);
      r.query = q < 0 ? null : uri.substring(q + 1);
    }
    Object remote = m[2].invoke(req);
    if (remote instanceof InetSocketAddress) {
      r.client = address((InetSocketAddress) remote);
    }
    Object local = m[3].invoke(req);
    if (local instanceof InetSocketAddress) {
      r.port = ((InetSocketAddress) local).getPort();
    }
    Object headers = m[4].invoke(req);
    if (headers != null) {
      r.xForwardedFor = (String) m[5].invoke(headers, "X-Forwarded-For");
      r.forwarded = (String) m[5].invoke(headers, "Forwarded");
      r.traceparent = (String) m[5].invoke(headers, "traceparent");
    }
  }

  /** The peer's IP as a string: never a reverse lookup. */
  private static @Nullable String address(InetSocketAddress a) {
    return a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
  }
}

package dev.tripline.agent.pipeline;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tripline.agent.callsite.CallSites;
import dev.tripline.model.CallSite;
import dev.tripline.model.EventOrBuilder;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;

/**
 * Call sites that asked another thread for I/O. The JDK {@code HttpClient} connects (and often
 * resolves) on its own worker threads, whose stacks hold only JDK frames; Reactor Netty (and
 * Spring's WebClient on it) and every other Netty client on Netty's event loops, whose stacks hold
 * only library frames. Hooks on the calls that name the request ({@code HttpClientImpl.sendAsync},
 * WebClient's and Reactor Netty's {@code uri}, Netty's {@code Bootstrap} connect) tell us, on the
 * caller's thread, which code asked for which host; an event on a worker with no application frame,
 * or on a Netty event loop, then takes that code as its call site, marked {@code handoff:
 * "http-client"}, {@code "reactor-netty"} or {@code "netty"}.
 *
 * <p>Cost: a request to a host already known is one cache lookup (no allocation: the host string is
 * cached in the URI). The first request to a host walks the stack to its call site. Bounded by host
 * count and host length (a name longer than DNS allows is never resolved: not kept); the first code
 * to ask for a host names it (a later caller of the same host mostly reuses a pooled connection,
 * which makes no event anyway).
 */
final class HandoffSites {
  static final String HTTP_CLIENT = "http-client";
  static final String REACTOR_NETTY = "reactor-netty";
  static final String NETTY = "netty";

  /** The longest DNS name (RFC 1035), or an IPv6 literal in brackets. */
  static final int MAX_HOST = 253;

  /**
   * Frames of the libraries between the application and a Reactor Netty request: skipped when
   * looking for the code that asked (in a fat jar the application's own classes are found first
   * anyway).
   */
  private static final String[] NETTY_LIBRARIES = {"reactor.", "io.netty.", "org.springframework."};

  private final Caps caps;
  private final int maxHosts;

  /** Built at the first request: most applications use neither client. */
  private volatile Cache<String, CallSite> jdkClient;

  private volatile Cache<String, CallSite> eventLoop;

  HandoffSites(Caps caps, int maxHosts) {
    this.caps = caps;
    this.maxHosts = maxHosts;
  }

  private synchronized Cache<String, CallSite> cache(boolean onEventLoop) {
    if (onEventLoop) {
      if (eventLoop == null) {
        eventLoop = newCache();
      }
      return eventLoop;
    }
    if (jdkClient == null) {
      jdkClient = newCache();
    }
    return jdkClient;
  }

  private Cache<String, CallSite> newCache() {
    return Caffeine.newBuilder().maximumSize(maxHosts).executor(Runnable::run).build();
  }

  /** {@code request} is a java.net.http.HttpRequest, on the thread of the code that sent it. */
  void httpRequest(Object request) {
    if (request instanceof HttpRequest) {
      Cache<String, CallSite> known = jdkClient;
      remember(
          known != null ? known : cache(false),
          ((HttpRequest) request).uri().getHost(),
          HTTP_CLIENT,
          null);
    }
  }

  /**
   * {@code target} is what the code that asks a client on Netty's event loops names: a java.net.URI
   * or String URI (WebClient, Reactor Netty), or a SocketAddress (Netty's Bootstrap: its host as
   * given, never a reverse lookup).
   */
  void eventLoopRequest(Object target) {
    String host;
    String label = REACTOR_NETTY;
    if (target instanceof URI) {
      host = ((URI) target).getHost();
    } else if (target instanceof String) {
      host = hostOf((String) target);
    } else if (target instanceof InetSocketAddress) {
      host = ((InetSocketAddress) target).getHostString();
      label = NETTY;
    } else {
      return;
    }
    Cache<String, CallSite> known = eventLoop;
    remember(known != null ? known : cache(true), host, label, NETTY_LIBRARIES);
  }

  private void remember(Cache<String, CallSite> known, String host, String label, String[] skip) {
    if (host == null
        || host.isEmpty()
        || host.length() > MAX_HOST
        || known.getIfPresent(host) != null) {
      return;
    }
    CallSite site = caps.callSite(CallSites.submitter(skip));
    if (!site.getClassName().isEmpty()) {
      known.asMap().putIfAbsent(host, site.toBuilder().setHandoff(label).build());
    }
  }

  /**
   * The host of a URI string ({@code http://user@host:port/path}), without parsing the rest; null
   * when it has none. IPv6 literals keep their brackets, as {@code URI.getHost()} does.
   */
  static String hostOf(String uri) {
    int start = uri.indexOf("://");
    if (start < 0) {
      return null;
    }
    start += 3;
    int end = start;
    while (end < uri.length() && "/?#".indexOf(uri.charAt(end)) < 0) {
      end++;
    }
    int at = uri.lastIndexOf('@', end - 1);
    if (at >= start) {
      start = at + 1; // user info
    }
    if (start < end && uri.charAt(start) == '[') {
      int close = uri.indexOf(']', start);
      if (close < 0 || close >= end) {
        return null;
      }
      end = close + 1;
    } else {
      int colon = uri.indexOf(':', start);
      if (colon >= 0 && colon < end) {
        end = colon; // the port
      }
    }
    return end > start && end - start <= MAX_HOST ? uri.substring(start, end) : null;
  }

  /**
   * The call site found on the stack, or the code that handed the work over, if known for this
   * event's host: when the stack had no application frame (a JDK HttpClient worker), or when the
   * event happened on a Netty event loop.
   */
  CallSite orSubmitter(CallSite found, EventOrBuilder event) {
    Cache<String, CallSite> known;
    if (found.getClassName().isEmpty()) {
      known = jdkClient;
    } else if (CallSites.EVENT_LOOP.equals(found.getHandoff())) {
      known = eventLoop;
    } else {
      return found;
    }
    if (known == null) {
      return found;
    }
    String host = event.hasDns() ? event.getDns().getQuery() : "";
    if (event
        .hasNetwork()) { // a peer named by IP (an IP literal URI) has no host: its address is the
      // key
      host =
          event.getNetwork().getHost().isEmpty()
              ? event.getNetwork().getIp()
              : event.getNetwork().getHost();
    }
    CallSite submitter = host.isEmpty() ? null : known.getIfPresent(host);
    return submitter != null ? submitter : found;
  }
}

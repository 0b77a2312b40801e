package dev.tripline.agent.record;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tripline.agent.callsite.CallSites;
import dev.tripline.model.CallSite;
import dev.tripline.model.EventOrBuilder;
import dev.tripline.model.RequestContext;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jspecify.annotations.Nullable;

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
 * count and host length (a name longer than DNS allows is never resolved: not kept), and a String
 * URI is read no further than its authority's first {@value #MAX_AUTHORITY} characters; the first
 * code to ask for a host names it (a later caller of the same host mostly reuses a pooled
 * connection, which makes no event anyway).
 */
final class HandoffSites {
  static final String HTTP_CLIENT = "http-client";
  static final String REACTOR_NETTY = "reactor-netty";
  static final String NETTY = "netty";

  /** The longest DNS name (RFC 1035), or an IPv6 literal in brackets. */
  static final int MAX_HOST = 253;

  /** How far a String URI is read: its scheme, then its authority (user info, host, port). */
  static final int MAX_SCHEME = 32;

  static final int MAX_AUTHORITY = 1024;

  /**
   * Frames of the libraries between the application and a Reactor Netty request: skipped when
   * looking for the code that asked (in a fat jar the application's own classes are found first
   * anyway).
   */
  private static final String[] NETTY_LIBRARIES = {"reactor.", "io.netty.", "org.springframework."};

  /** The two clients' tables, by index: a JDK HttpClient worker, a Netty event loop. */
  private static final int JDK_CLIENT = 0;

  private static final int EVENT_LOOP = 1;

  private final Caps caps;
  private final int maxHosts;
  private final RequestContexts requests;

  /**
   * The code that asked, and the inbound request it was serving then (null outside a request): the
   * connection or lookup made for it on another thread carries both.
   */
  static final class Submitted {
    final CallSite site;
    final @Nullable RequestContext request;

    Submitted(CallSite site, @Nullable RequestContext request) {
      this.site = site;
      this.request = request;
    }
  }

  /**
   * Host → submitting call site, per client; built at the client's first request (most use
   * neither).
   */
  private final AtomicReferenceArray<Cache<String, Submitted>> byClient =
      new AtomicReferenceArray<>(2);

  HandoffSites(Caps caps, int maxHosts, RequestContexts requests) {
    this.caps = caps;
    this.maxHosts = maxHosts;
    this.requests = requests;
  }

  private Cache<String, Submitted> table(int client) {
    Cache<String, Submitted> c = byClient.get(client);
    if (c == null) {
      byClient.compareAndSet(
          client,
          null,
          Caffeine.newBuilder().maximumSize(maxHosts).executor(Runnable::run).build());
      c = byClient.get(client);
    }
    return c;
  }

  /** {@code request} is a java.net.http.HttpRequest, on the thread of the code that sent it. */
  void httpRequest(@Nullable Object request) {
    if (request instanceof HttpRequest) {
      remember(JDK_CLIENT, ((HttpRequest) request).uri().getHost(), HTTP_CLIENT, null);
    }
  }

  /**
   * {@code target} is what the code that asks a client on Netty's event loops names: a java.net.URI
   * or String URI (WebClient, Reactor Netty), or a SocketAddress (Netty's Bootstrap: its host as
   * given, never a reverse lookup).
   */
  void eventLoopRequest(@Nullable Object target) {
    if (target instanceof URI) {
      remember(EVENT_LOOP, ((URI) target).getHost(), REACTOR_NETTY, NETTY_LIBRARIES);
    } else if (target instanceof String) {
      remember(EVENT_LOOP, hostOf((String) target), REACTOR_NETTY, NETTY_LIBRARIES);
    } else if (target instanceof InetSocketAddress) {
      remember(EVENT_LOOP, ((InetSocketAddress) target).getHostString(), NETTY, NETTY_LIBRARIES);
    }
  }

  private void remember(int client, @Nullable String host, String label, String @Nullable [] skip) {
    if (host == null || host.isEmpty() || host.length() > MAX_HOST) {
      return;
    }
    Cache<String, Submitted> known = table(client);
    if (known.getIfPresent(host) != null) {
      return;
    }
    CallSite site = caps.callSite(CallSites.submitter(skip));
    if (!site.getClassName().isEmpty()) {
      known
          .asMap()
          .putIfAbsent(
              host, new Submitted(site.toBuilder().setHandoff(label).build(), requests.current()));
    }
  }

  /**
   * The host of a URI string ({@code http://user@host:port/path}), without parsing the rest; null
   * when it has none, or when its scheme or authority is longer than anything a client sends (the
   * string is the application's, but a request loop must not scan megabytes per call). IPv6
   * literals keep their brackets, as {@code URI.getHost()} does.
   */
  static @Nullable String hostOf(String uri) {
    int start = -1;
    for (int i = 0; i <= MAX_SCHEME && i + 3 <= uri.length(); i++) {
      if (uri.startsWith("://", i)) {
        start = i + 3;
        break;
      }
    }
    if (start < 0) {
      return null;
    }
    int limit = Math.min(uri.length(), start + MAX_AUTHORITY);
    int end = start;
    while (end < limit && "/?#".indexOf(uri.charAt(end)) < 0) {
      end++;
    }
    if (end == limit && limit < uri.length()) {
      return null; // an authority longer than any real one
    }
    for (int i = end - 1; i >= start; i--) {
      if (uri.charAt(i) == '@') {
        start = i + 1; // after the user info
        break;
      }
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
    int client;
    if (found.getClassName().isEmpty()) {
      client = JDK_CLIENT;
    } else if (CallSites.EVENT_LOOP.equals(found.getHandoff())) {
      client = EVENT_LOOP;
    } else {
      return found;
    }
    Cache<String, Submitted> known = byClient.get(client);
    String host = known == null ? "" : hostKey(event);
    Submitted submitter = host.isEmpty() ? null : known.getIfPresent(host);
    return submitter != null ? submitter.site : found;
  }

  /**
   * The request the submitting code was serving, for an event whose call site is a hand-off's
   * submitter ({@link #orSubmitter}'s answer); null otherwise.
   */
  @Nullable RequestContext submitterRequest(CallSite site, EventOrBuilder event) {
    String label = site.getHandoff();
    int client;
    if (HTTP_CLIENT.equals(label)) {
      client = JDK_CLIENT;
    } else if (REACTOR_NETTY.equals(label) || NETTY.equals(label)) {
      client = EVENT_LOOP;
    } else {
      return null;
    }
    Cache<String, Submitted> known = byClient.get(client);
    String host = known == null ? "" : hostKey(event);
    Submitted submitter = host.isEmpty() ? null : known.getIfPresent(host);
    return submitter == null ? null : submitter.request;
  }

  /**
   * The host an event is keyed by: the name asked for, or a peer's address when it was named by IP.
   */
  private static String hostKey(EventOrBuilder event) {
    if (event.hasNetwork()) {
      String host = event.getNetwork().getHost();
      return host.isEmpty() ? event.getNetwork().getIp() : host;
    }
    return event.hasDns() ? event.getDns().getQuery() : "";
  }
}

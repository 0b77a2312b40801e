package dev.tripline.agent.pipeline;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tripline.agent.callsite.CallSites;
import dev.tripline.model.CallSite;
import dev.tripline.model.EventOrBuilder;
import java.net.http.HttpRequest;

/**
 * Call sites that asked another thread for I/O: the JDK {@code HttpClient} connects (and often
 * resolves) on its own worker threads, whose stacks hold only JDK frames. The hook on its
 * {@code sendAsync} tells us, on the caller's thread, which code asked for which host; an event
 * with no application frame on a worker then takes that code as its call site, marked
 * {@code handoff: "http-client"}.
 *
 * <p>Cost: a request to a host already known is one cache lookup (no allocation: the host string is
 * cached in the URI). The first request to a host walks the stack to its call site. Bounded by
 * host count; the first code to ask for a host names it (a later caller of the same host reuses
 * a pooled connection, which makes no event anyway).
 */
final class HandoffSites {
  static final String HTTP_CLIENT = "http-client";

  private final Caps caps;
  private final int maxHosts;
  /** Built at the first request: most applications never use the JDK HttpClient. */
  private volatile Cache<String, CallSite> byHost;

  HandoffSites(Caps caps, int maxHosts) {
    this.caps = caps;
    this.maxHosts = maxHosts;
  }

  private synchronized Cache<String, CallSite> cache() {
    if (byHost == null) {
      byHost = Caffeine.newBuilder().maximumSize(maxHosts).executor(Runnable::run).build();
    }
    return byHost;
  }

  /** {@code request} is a java.net.http.HttpRequest, on the thread of the code that sent it. */
  void requested(Object request) {
    if (!(request instanceof HttpRequest)) {
      return;
    }
    String host = ((HttpRequest) request).uri().getHost();
    Cache<String, CallSite> known = byHost != null ? byHost : cache();
    if (host == null || known.getIfPresent(host) != null) {
      return;
    }
    CallSite site = caps.callSite(CallSites.submitter());
    if (!site.getClassName().isEmpty()) {
      known.asMap().putIfAbsent(host, site.toBuilder().setHandoff(HTTP_CLIENT).build());
    }
  }

  /**
   * The call site found on the stack, or when there was none (only JDK frames: a worker thread),
   * the code that handed the work over, if known for this event's host.
   */
  CallSite orSubmitter(CallSite found, EventOrBuilder event) {
    Cache<String, CallSite> known = byHost;
    if (!found.getClassName().isEmpty() || known == null) {
      return found;
    }
    String host = event.hasDns() ? event.getDns().getQuery() : "";
    if (event.hasNetwork()) { // a peer named by IP (an IP literal URI) has no host: its address is the key
      host = event.getNetwork().getHost().isEmpty() ? event.getNetwork().getIp() : event.getNetwork().getHost();
    }
    CallSite submitter = host.isEmpty() ? null : known.getIfPresent(host);
    return submitter != null ? submitter : found;
  }
}

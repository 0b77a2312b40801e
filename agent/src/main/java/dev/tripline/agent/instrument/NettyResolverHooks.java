package dev.tripline.agent.instrument;

import static dev.tripline.agent.instrument.Hook.Value.NONE;
import static dev.tripline.agent.instrument.Hook.Value.arg;

import dev.tripline.agent.record.Observations;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Netty's own name resolvers ({@code DnsNameResolver}, which Reactor Netty uses by default, asks
 * the name servers itself over UDP and reads {@code /etc/hosts} itself): no lookup of theirs
 * reaches {@code InetAddress}. Every resolution through Netty's {@code AddressResolver} or {@code
 * NameResolver} API goes through these two methods of {@code SimpleNameResolver}, on the thread
 * that asks. The answer comes later, on another thread: the event names the query only. A resolver
 * that does use {@code InetAddress} (Netty's default one) reports once, here: only the outermost
 * hooked call reports.
 */
final class NettyResolverHooks extends HookGroup {
  private static final String RESOLVER = "io/netty/resolver/SimpleNameResolver";

  NettyResolverHooks() {
    super("dns");
  }

  // spotless:off — the rows read as a table: one hook per line
  @Override
  public List<Hook> hooks() {
    return List.of(
        Hook.exit("netty.dns.resolve", RESOLVER, "resolve", "(Ljava/lang/String;Lio/netty/util/concurrent/Promise;)",
            0, arg(0), NONE, NONE),
        Hook.exit("netty.dns.resolve", RESOLVER, "resolveAll",
            "(Ljava/lang/String;Lio/netty/util/concurrent/Promise;)", 0, arg(0), NONE, NONE));
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
    to.dns((String) a, null, error);
  }
}

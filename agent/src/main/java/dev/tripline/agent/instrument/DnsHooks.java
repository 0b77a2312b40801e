package dev.tripline.agent.instrument;

import static dev.tripline.agent.instrument.Hook.Value.NONE;
import static dev.tripline.agent.instrument.Hook.Value.RETURN;
import static dev.tripline.agent.instrument.Hook.Value.arg;

import dev.tripline.agent.record.Observations;
import java.net.InetAddress;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Name resolution: {@code InetAddress.getAllByName(String)}, which every lookup the application
 * asks for goes through; reverse lookups ({@code getHostName()} of an address-only InetAddress);
 * and the queries of the JNDI DNS provider, which talks UDP to its server itself ({@code
 * dns:///<secret>.attacker.example} through {@code InitialDirContext.getAttributes}).
 */
final class DnsHooks extends HookGroup {
  DnsHooks() {
    super("dns");
  }

  // spotless:off — the rows read as a table: one hook per line
  @Override
  public List<Hook> hooks() {
    return List.of(Hook.exit("dns.getAllByName", "java/net/InetAddress", "getAllByName", "(Ljava/lang/String;)",
        FORWARD, arg(0), RETURN, NONE),
        // the PTR query: (InetAddress, boolean check) up to 24, (InetAddress) from 25 on
        Hook.exit("dns.reverse", "java/net/InetAddress", "getHostFromNameService", "(Ljava/net/InetAddress;Z)",
            REVERSE, arg(0), RETURN, NONE),
        Hook.exit("dns.reverse", "java/net/InetAddress", "getHostFromNameService", "(Ljava/net/InetAddress;)",
            REVERSE, arg(0), RETURN, NONE),
        // A hand-off: the datagram it sends to the DNS server (perhaps one the name chose) still reports.
        Hook.handoff("dns.jndi", "com/sun/jndi/dns/DnsClient", "query", "(Lcom/sun/jndi/dns/DnsName;IIZZ)",
            JNDI, arg(0)).onDemand());
  }

  private static final int FORWARD = 0;
  private static final int REVERSE = 1;
  private static final int JNDI = 2;
  // spotless:on

  @Override
  public void observe(
      int action,
      @Nullable Object a,
      @Nullable Object b,
      int n,
      @Nullable Throwable error,
      Observations to) {
    if (action == REVERSE) {
      to.reverseDns((InetAddress) a, (String) b, error);
    } else if (action == JNDI) {
      to.jndiDns(a);
    } else {
      to.dns((String) a, (Object[]) b, error);
    }
  }
}

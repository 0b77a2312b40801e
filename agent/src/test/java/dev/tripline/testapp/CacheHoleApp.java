package dev.tripline.testapp;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * The verdict cache's attacker: waits until the agent's MBean says protection is in force, then
 * every 100 ms (until {@code args[1]} appears, at most 240 s) connects to {@code
 * 127.0.0.1:<args[0]>} from plain code FIRST (the benign call that would cache the peer as
 * allowed), then reaches the same peer through a JNDI lookup of {@code
 * ldap://127.0.0.1:<args[0]>/o=x}. Prints {@code BENIGN <outcome>} and {@code JNDI <outcome>}
 * whenever an outcome changes.
 */
public final class CacheHoleApp {
  private static final String[] last = new String[2];

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    Path stop = Path.of(args[1]);
    long deadline = System.nanoTime() + 240_000_000_000L;
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    ObjectName agent = new ObjectName("dev.tripline:type=Agent");
    while (System.nanoTime() < deadline && mode(server, agent) == 0) {
      Thread.sleep(50);
    }
    System.out.println("PROTECTION " + mode(server, agent));
    while (!Files.exists(stop) && System.nanoTime() < deadline) {
      say(0, "BENIGN", connect(port));
      say(1, "JNDI", jndi(port));
      Thread.sleep(100);
    }
  }

  private static long mode(MBeanServer server, ObjectName agent) {
    try {
      return server.isRegistered(agent)
          ? ((Number) server.getAttribute(agent, "protection.mode")).longValue()
          : 0;
    } catch (Exception e) {
      return 0;
    }
  }

  private static void say(int slot, String what, String outcome) {
    if (!outcome.equals(last[slot])) {
      last[slot] = outcome;
      System.out.println(what + " " + outcome);
    }
  }

  private static String connect(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      return "ok";
    } catch (IOException e) {
      return "failed " + e;
    }
  }

  // the point: the same peer reached under a JNDI lookup, which protect mode must refuse
  private static String jndi(int port) {
    String outcome = JndiCountApp.ldap(port);
    return outcome.startsWith("refused") ? outcome : "reached"; // an error's text may say "refused"
  }
}

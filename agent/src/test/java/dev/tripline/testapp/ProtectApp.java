package dev.tripline.testapp;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Hashtable;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * Protect mode's test application: every 100 ms, until {@code args[3]} appears (at most 240 s), a
 * JNDI lookup of {@code ldap://127.0.0.1:<args[0]>/o=x} (a connect under a JNDI frame: known-bad),
 * a plain connect to {@code 127.0.0.1:<args[1]>} and a read of {@code args[2]} (its normal work).
 * Prints one line per outcome that differs from the last of its kind, with the time in ms since
 * start: {@code JNDI refused <ms> <exception>: <message>}, {@code JNDI reached <ms>}, {@code
 * CONNECT ok}, {@code READ ok}…; at the end the agent's MBean.
 */
public final class ProtectApp {
  private static final String[] last = new String[3];

  public static void main(String[] args) throws Exception {
    int ldapPort = Integer.parseInt(args[0]);
    int normalPort = Integer.parseInt(args[1]);
    Path read = Path.of(args[2]);
    Path stop = Path.of(args[3]);
    long deadline = System.nanoTime() + 240_000_000_000L;
    long start = System.currentTimeMillis();
    int loops = 0;
    while (!Files.exists(stop) && System.nanoTime() < deadline) {
      say(0, "JNDI", jndi(ldapPort), start);
      say(1, "CONNECT", connect(normalPort), start);
      say(2, "READ", read(read), start);
      loops++;
      Thread.sleep(100);
    }
    System.out.println("LOOPS " + loops);
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    ObjectName agent = new ObjectName("dev.tripline:type=Agent");
    if (server.isRegistered(agent)) {
      for (MBeanAttributeInfo a : server.getMBeanInfo(agent).getAttributes()) {
        System.out.println("MBEAN " + a.getName() + "=" + server.getAttribute(agent, a.getName()));
      }
    }
  }

  private static void say(int slot, String what, String outcome, long start) {
    if (!outcome.equals(last[slot])) {
      last[slot] = outcome;
      System.out.println(
          what + " " + outcome.replaceFirst(" ", " " + (System.currentTimeMillis() - start) + " "));
    }
  }

  // the point: a JNDI lookup of an attacker's URL, the connect protect mode must refuse
  @SuppressWarnings("BanJNDI")
  private static String jndi(int port) {
    Hashtable<String, Object> env = new Hashtable<>();
    env.put("com.sun.jndi.ldap.connect.timeout", "1000");
    env.put("com.sun.jndi.ldap.read.timeout", "300");
    try {
      new InitialContext(env).lookup("ldap://127.0.0.1:" + port + "/o=x");
      return "reached - -";
    } catch (NamingException e) {
      Throwable root = e.getRootCause();
      if (root != null && String.valueOf(root.getMessage()).contains("Tripline")) {
        return "refused " + root.getClass().getName() + ": " + root.getMessage();
      }
      return "reached " + e.getClass().getSimpleName() + " -";
    }
  }

  private static String connect(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      return "ok - -";
    } catch (IOException e) {
      return "failed " + e.getClass().getName() + ": " + e.getMessage();
    }
  }

  private static String read(Path path) {
    try (InputStream in = new FileInputStream(path.toFile())) {
      in.readAllBytes();
      return "ok - -";
    } catch (IOException e) {
      return "failed " + e.getClass().getName() + ": " + e.getMessage();
    }
  }
}

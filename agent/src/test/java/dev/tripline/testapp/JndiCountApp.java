package dev.tripline.testapp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Hashtable;
import javax.naming.Context;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * The JNDI frame count at work (issue 23), on one thread, against {@code 127.0.0.1:<args[0]>} (a
 * listener the test owns): plain connects are not walked ({@code PLAIN walks=<n>}); a JNDI LDAP
 * callback inside {@code InitialContext.lookup} is refused ({@code LDAP <outcome>}); plain connects
 * after the refusal propagated out of the JNDI frames are not walked again ({@code AFTER-LDAP
 * walks=<n>}); a connect made from an RMI registry context's own {@code lookup}, called after the
 * {@code InitialContext.lookup} that returned it had returned, is refused ({@code RMI <outcome>});
 * then the payload works the bridge's whole public surface ({@link BridgeSurface}) and calls back
 * through JNDI again ({@code ATTACKED-LDAP <outcome>}), and plain connects show whether it could
 * lower anything ({@code ATTACKED walks=<n>}: a mark can only raise the count). Walks are read from
 * the agent's MBean ({@code protection.context_walks}).
 */
public final class JndiCountApp {
  private static final int PLAIN = 20;

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    System.out.println("PROTECTION " + AgentReady.awaitProtection());
    plain(port); // the peer's verdict judged and cached once (one walk of the new target is fine)
    System.out.println("PLAIN walks=" + walksOver(port));
    System.out.println("LDAP " + ldap(port));
    System.out.println("AFTER-LDAP walks=" + walksOver(port));
    System.out.println("RMI " + rmi(port));
    System.out.println("AFTER-RMI walks=" + walksOver(port));
    try {
      BridgeSurface.everyPublicEntry();
    } catch (Throwable e) {
      System.out.println("surface: " + e);
    }
    System.out.println("ATTACKED-LDAP " + ldap(port));
    System.out.println("ATTACKED walks=" + walksOver(port));
    System.out.println("DONE");
  }

  /** The walks the agent made over {@link #PLAIN} plain connects to the port. */
  private static long walksOver(int port) {
    long before = AgentReady.read("protection.context_walks");
    for (int i = 0; i < PLAIN; i++) {
      plain(port);
    }
    return AgentReady.read("protection.context_walks") - before;
  }

  private static void plain(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
    } catch (IOException e) {
      System.out.println("PLAIN failed " + e);
    }
  }

  /**
   * An LDAP lookup of a peer on this host through the JDK's provider: "refused …" with Tripline's
   * exception when protect mode refused its connect, else "reached …" (also {@link
   * CacheHoleApp}'s).
   */
  // the point: callbacks through JNDI, which protect mode must refuse
  @SuppressWarnings("BanJNDI")
  static String ldap(int port) {
    Hashtable<String, Object> env = new Hashtable<>();
    env.put("com.sun.jndi.ldap.connect.timeout", "1000");
    env.put("com.sun.jndi.ldap.read.timeout", "300");
    try {
      new InitialContext(env).lookup("ldap://127.0.0.1:" + port + "/o=x");
      return "reached";
    } catch (NamingException e) {
      return outcome(e);
    }
  }

  @SuppressWarnings("BanJNDI")
  private static String rmi(int port) {
    Context registry;
    try {
      // no I/O yet: the URL context hands back a registry context for the address
      registry = (Context) new InitialContext().lookup("rmi://127.0.0.1:" + port);
    } catch (NamingException | RuntimeException e) {
      return "no registry context " + e;
    }
    try {
      registry.lookup("x"); // RegistryContext.lookup: the registry call connects
      return "reached";
    } catch (NamingException e) {
      return outcome(e);
    } catch (RuntimeException e) {
      return "reached " + e;
    }
  }

  private static String outcome(NamingException e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (String.valueOf(t.getMessage()).contains("Tripline")) {
        return "refused " + t.getClass().getName() + ": " + t.getMessage();
      }
      if (t instanceof NamingException && ((NamingException) t).getRootCause() != null) {
        Throwable root = ((NamingException) t).getRootCause();
        if (String.valueOf(root.getMessage()).contains("Tripline")) {
          return "refused " + root.getClass().getName() + ": " + root.getMessage();
        }
      }
    }
    return "reached " + e;
  }
}

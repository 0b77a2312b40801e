package dev.tripline.testapp;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Hashtable;
import java.util.concurrent.atomic.AtomicInteger;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * Code inside the JVM that tries to switch protect mode off without a policy change: once a JNDI
 * lookup of {@code ldap://127.0.0.1:<args[0]>} (known-bad) is refused, it interrupts the agent's
 * policy thread every millisecond for {@code args[2]} ms (and stops it with {@code Thread.stop}
 * where the JDK still allows that), looking up the attacker's URL every 20 ms meanwhile. Prints
 * {@code REFUSED} at the first refusal and {@code TAMPER reached=<n> refused=<m> interrupts=<k>
 * stopped=<bool>} at the end; runs until {@code args[1]} appears (at most 240 s).
 */
public final class PolicyTamperApp {
  public static void main(String[] args) throws Exception {
    int ldap = Integer.parseInt(args[0]);
    Path stop = Path.of(args[1]);
    long tamperMs = Long.parseLong(args[2]);
    long deadline = System.nanoTime() + 240_000_000_000L;
    while (!refused(ldap)) {
      if (System.nanoTime() > deadline || Files.exists(stop)) {
        System.out.println("NEVER REFUSED");
        return;
      }
      Thread.sleep(50);
    }
    System.out.println("REFUSED");
    AtomicInteger interrupts = new AtomicInteger();
    boolean stopped = stopPolicyThread();
    long end = System.nanoTime() + tamperMs * 1_000_000L;
    Thread tamper =
        new Thread(
            () -> {
              while (System.nanoTime() < end) {
                for (Thread t : Thread.getAllStackTraces().keySet()) {
                  if (t.getName().equals("tripline-policy")) {
                    t.interrupt();
                    interrupts.incrementAndGet();
                  }
                }
                try {
                  Thread.sleep(1);
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
    tamper.start();
    int reached = 0;
    int refusedCount = 0;
    while (System.nanoTime() < end) {
      if (refused(ldap)) refusedCount++;
      else reached++;
      Thread.sleep(20);
    }
    tamper.join();
    System.out.println(
        "TAMPER reached="
            + reached
            + " refused="
            + refusedCount
            + " interrupts="
            + interrupts.get()
            + " stopped="
            + stopped);
    while (!Files.exists(stop) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
  }

  /** {@code Thread.stop()} on the policy thread (removed in JDK 20+: false there). */
  private static boolean stopPolicyThread() {
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().equals("tripline-policy")) {
        try {
          Method m = Thread.class.getMethod("stop");
          m.invoke(t);
          return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
          return false; // UnsupportedOperationException on JDK 20+
        }
      }
    }
    return false;
  }

  // the point: a JNDI lookup of an attacker's URL, the connect protect mode must refuse
  @SuppressWarnings("BanJNDI")
  private static boolean refused(int port) {
    Hashtable<String, Object> env = new Hashtable<>();
    env.put("com.sun.jndi.ldap.connect.timeout", "1000");
    env.put("com.sun.jndi.ldap.read.timeout", "300");
    try {
      new InitialContext(env).lookup("ldap://127.0.0.1:" + port + "/o=x");
      return false;
    } catch (NamingException e) {
      Throwable root = e.getRootCause();
      return root != null && String.valueOf(root.getMessage()).contains("Tripline");
    }
  }
}

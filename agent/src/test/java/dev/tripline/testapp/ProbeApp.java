package dev.tripline.testapp;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * A small application for the configuration tests: reads {@code args[0]} every 100 ms until {@code
 * args[1]} appears (at most 240 s), then prints every attribute of the agent's MBean.
 */
public final class ProbeApp {
  public static void main(String[] args) throws Exception {
    Path read = Path.of(args[0]);
    Path stop = Path.of(args[1]);
    long deadline = System.nanoTime() + 240_000_000_000L; // a loaded machine: generous
    int reads = 0;
    while (!Files.exists(stop) && System.nanoTime() < deadline) {
      Files.readString(read);
      reads++;
      Thread.sleep(100);
    }
    System.out.println("PROBE reads=" + reads);
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    ObjectName agent = new ObjectName("dev.tripline:type=Agent");
    if (server.isRegistered(agent)) {
      for (MBeanAttributeInfo a : server.getMBeanInfo(agent).getAttributes()) {
        System.out.println("MBEAN " + a.getName() + "=" + server.getAttribute(agent, a.getName()));
      }
    }
  }
}

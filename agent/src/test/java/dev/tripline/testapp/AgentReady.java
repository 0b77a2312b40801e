package dev.tripline.testapp;

import java.lang.management.ManagementFactory;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * For test apps whose first requests must carry request context: a request that starts while the
 * agent is still starting carries none, so they wait (at most a minute) until the agent records —
 * its MBean is registered once the recorder is live.
 */
final class AgentReady {
  private AgentReady() {}

  static void await() throws Exception {
    MBeanServer beans = ManagementFactory.getPlatformMBeanServer();
    ObjectName agent = new ObjectName("dev.tripline:type=Agent");
    for (int i = 0; i < 3000 && !beans.isRegistered(agent); i++) {
      Thread.sleep(20);
    }
  }

  private static final ObjectName AGENT = name();

  private static ObjectName name() {
    try {
      return new ObjectName("dev.tripline:type=Agent");
    } catch (javax.management.MalformedObjectNameException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A numeric attribute of the agent's MBean ({@code protection.context_walks}…): 0 before the
   * MBean is registered, -1 000 000 when it cannot be read.
   */
  static long read(String attribute) {
    MBeanServer beans = ManagementFactory.getPlatformMBeanServer();
    try {
      return beans.isRegistered(AGENT)
          ? ((Number) beans.getAttribute(AGENT, attribute)).longValue()
          : 0;
    } catch (Exception e) {
      return -1_000_000;
    }
  }

  /** Waits (at most 4 minutes) until a protection mode is in force; returns its number. */
  static long awaitProtection() throws InterruptedException {
    long deadline = System.nanoTime() + 240_000_000_000L;
    while (System.nanoTime() < deadline && read("protection.mode") == 0) {
      Thread.sleep(50);
    }
    return read("protection.mode");
  }
}

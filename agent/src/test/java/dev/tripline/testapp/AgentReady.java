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
}

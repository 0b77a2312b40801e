package dev.tripline.vulnapp;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A service instance for {@code LivenessIT}: with {@code tamper} it tries to claim the agent's
 * thread identity (the bridge's mark is out of its reach since the gate moved into {@code
 * java.base}, so it takes the agent's Kafka thread name and connects: the agent asks the gate to
 * mark the thread, which refuses because this class is on the stack, and reports it in its next
 * heartbeat), then it idles until its stop file appears and exits cleanly (the agent's goodbye
 * heartbeat). Killed instead, it just goes quiet.
 */
public final class LivenessApp {
  private LivenessApp() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    Path stop = Path.of(args[1]);
    if (mode.equals("tamper")) {
      awaitAgent();
      try {
        Class.forName("dev.tripline.bootstrap.TriplineBridge", false, null)
            .getMethod("markAgentThread");
        System.out.println("markAgentThread is public on the bridge");
      } catch (NoSuchMethodException e) {
        System.out.println("no markAgentThread on the bridge");
      }
      String name = Thread.currentThread().getName();
      Thread.currentThread().setName("kafka-producer-network-thread | tripline");
      try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
          Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
        System.out.println("connected as the agent's Kafka thread");
      } finally {
        Thread.currentThread().setName(name);
      }
    }
    System.out.println("LivenessApp " + mode + " ready");
    while (!Files.exists(stop)) {
      Thread.sleep(50); // idling is this app's whole job; the agent's heartbeats run meanwhile
    }
    System.out.println("LivenessApp " + mode + " stopping");
  }

  /**
   * Waits for the agent's MBean, registered once its recorder is live: before that a hook's
   * observation waits in the start-up buffer and is replayed on the agent's own thread, where a
   * thread name claims nothing. A running service is long past this point when a payload arrives.
   */
  private static void awaitAgent() throws Exception {
    javax.management.MBeanServer server =
        java.lang.management.ManagementFactory.getPlatformMBeanServer();
    javax.management.ObjectName agent = new javax.management.ObjectName("dev.tripline:type=Agent");
    long deadline = System.nanoTime() + 150_000_000_000L; // a loaded machine: generous
    while (!server.isRegistered(agent) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    System.out.println("agent up: " + server.isRegistered(agent));
  }
}

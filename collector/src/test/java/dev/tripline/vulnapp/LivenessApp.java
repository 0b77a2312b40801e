package dev.tripline.vulnapp;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A service instance for {@code LivenessIT}: with {@code tamper} it tries to claim the agent's
 * thread identity through the bridge (refused, and reported in its next heartbeat), then it idles
 * until its stop file appears and exits cleanly (the agent's goodbye heartbeat). Killed instead, it
 * just goes quiet.
 */
public final class LivenessApp {
  private LivenessApp() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    Path stop = Path.of(args[1]);
    if (mode.equals("tamper")) {
      Object marked =
          Class.forName("dev.tripline.bootstrap.TriplineBridge", false, null)
              .getMethod("markAgentThread")
              .invoke(null);
      System.out.println("markAgentThread returned " + marked);
    }
    System.out.println("LivenessApp " + mode + " ready");
    while (!Files.exists(stop)) {
      Thread.sleep(50); // idling is this app's whole job; the agent's heartbeats run meanwhile
    }
    System.out.println("LivenessApp " + mode + " stopping");
  }
}

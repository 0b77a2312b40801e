package dev.tripline.testapp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * "Act, then halt": one connect to 127.0.8.1, seen in the agent's JSON-lines sink (the agent is
 * past its start-up; at most 2 minutes), then connects to {@code count} distinct loopback addresses
 * (127.0.9.1, 127.0.9.2, …) and ends the JVM with {@code Runtime.halt(3)} at once, so that no
 * shutdown hook runs. With {@code early} it does not wait for the sink: the connects and the halt
 * come while the agent is still starting. Usage: HaltApp <count> [early]
 */
public final class HaltApp {
  public static void main(String[] args) throws Exception {
    int count = Integer.parseInt(args[0]);
    try (ServerSocket server = new ServerSocket()) {
      server.bind(new InetSocketAddress("0.0.0.0", 0), count + 2);
      connect(new byte[] {127, 0, 8, 1}, server.getLocalPort());
      if (args.length < 2 || !args[1].equals("early")) {
        awaitSink("127.0.8.1");
      }
      for (int i = 1; i <= count; i++) {
        connect(new byte[] {127, 0, 9, (byte) i}, server.getLocalPort());
      }
      System.out.println("HALT NOW " + server.getLocalPort());
      System.out.flush();
      Runtime.getRuntime().halt(3);
    }
  }

  private static void connect(byte[] address, int port) throws Exception {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getByAddress(address), port));
    }
  }

  private static void awaitSink(String text) throws Exception {
    String sink = System.getProperty("tripline.sink", "");
    if (!sink.startsWith("jsonl:")) {
      return;
    }
    Path events = Path.of(sink.substring("jsonl:".length()));
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (System.nanoTime() < deadline
        && !(Files.exists(events)
            && new String(Files.readAllBytes(events), StandardCharsets.UTF_8).contains(text))) {
      Thread.sleep(20);
    }
  }
}

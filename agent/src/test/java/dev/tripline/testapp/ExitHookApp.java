package dev.tripline.testapp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * "Act at exit": registers a shutdown hook of its own that, after a graceful half second (a server
 * draining its requests), connects to {@code count} distinct loopback addresses (127.0.10.1,
 * 127.0.10.2, …), then ends — with {@code System.exit(0)}, or by returning from {@code main}
 * ({@code return}). The agent's stop must come after the hook, not beside it. Usage: ExitHookApp
 * <count> exit|return
 */
public final class ExitHookApp {
  public static void main(String[] args) throws Exception {
    int count = Integer.parseInt(args[0]);
    ServerSocket server = new ServerSocket();
    server.bind(new InetSocketAddress("0.0.0.0", 0), count + 2);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    Thread.sleep(500);
                    for (int i = 1; i <= count; i++) {
                      try (Socket s = new Socket()) {
                        s.connect(
                            new InetSocketAddress(
                                InetAddress.getByAddress(new byte[] {127, 0, 10, (byte) i}),
                                server.getLocalPort()));
                      }
                    }
                    System.out.println("HOOK DONE");
                  } catch (Exception e) {
                    System.out.println("HOOK FAILED " + e);
                  }
                }));
    System.out.println("EXITING " + args[1]);
    System.out.flush();
    if (args[1].equals("exit")) {
      System.exit(0);
    }
  }
}

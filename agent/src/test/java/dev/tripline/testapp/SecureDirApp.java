package dev.tripline.testapp;

import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * Everything a {@code SecureDirectoryStream} does at its directory's descriptor (openat, unlinkat,
 * renameat: relative names, no path the usual hooks see), as Guava's {@code
 * MoreFiles.deleteRecursively} or a payload would: list a credentials directory, read a credentials
 * file, write, delete, move. Usage: SecureDirApp &lt;work dir&gt;
 */
public final class SecureDirApp {
  public static void main(String[] args) throws Exception {
    Path home = Path.of(args[0]).resolve("home");
    Files.createDirectories(home.resolve(".ssh"));
    Files.createDirectories(home.resolve(".aws"));
    Files.createDirectories(home.resolve("emptied"));
    Files.writeString(home.resolve(".ssh/id_rsa"), "key");
    Files.writeString(home.resolve(".aws/credentials"), "[default]\naws_secret_access_key=x\n");
    Files.writeString(home.resolve("doomed.txt"), "x");
    Files.writeString(home.resolve("from.txt"), "x");
    NativeApp
        .awaitAgent(); // its recorder is up: what follows is recorded live, as long after start
    try (DirectoryStream<Path> top = Files.newDirectoryStream(home)) {
      if (!(top instanceof SecureDirectoryStream)) {
        throw new IllegalStateException("no SecureDirectoryStream on this platform");
      }
      SecureDirectoryStream<Path> sds = (SecureDirectoryStream<Path>) top;
      StringBuilder keys = new StringBuilder();
      try (SecureDirectoryStream<Path> ssh = sds.newDirectoryStream(Path.of(".ssh"))) {
        for (Path p : ssh) {
          keys.append(p.getFileName()).append(' ');
        }
      }
      System.out.println("listed .ssh: " + keys);
      try (SecureDirectoryStream<Path> aws = sds.newDirectoryStream(Path.of(".aws"))) {
        try (SeekableByteChannel ch =
            aws.newByteChannel(Path.of("credentials"), Set.of(StandardOpenOption.READ))) {
          ByteBuffer buf = ByteBuffer.allocate(256);
          ch.read(buf);
          System.out.println("read credentials: " + buf.position() + " bytes");
        }
        sds.move(Path.of("from.txt"), aws, Path.of("moved.txt"));
      }
      try (SeekableByteChannel ch =
          sds.newByteChannel(
              Path.of("written.txt"),
              Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE))) {
        ch.write(ByteBuffer.wrap("w".getBytes(StandardCharsets.UTF_8)));
      }
      sds.deleteFile(Path.of("doomed.txt"));
      sds.deleteDirectory(Path.of("emptied"));
    }
    // a plain relative open still means the working directory
    Path relative = Path.of("secure-dir-relative.txt");
    Files.writeString(relative, "r");
    Files.readString(relative);
    Files.delete(relative);
    System.out.println("SECUREDIR DONE");
  }
}

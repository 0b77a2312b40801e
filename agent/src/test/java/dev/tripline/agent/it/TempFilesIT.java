package dev.tripline.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every temp file is new: a thousand uploads with random names must not cost a thousand events, and
 * a symlink planted among them must not hide in their count. Files made new ({@code CREATE_NEW},
 * which the agent does not look at again: the kernel made them where their directory is) are still
 * named by their directory's real path, and a directory link swapped under them is seen.
 */
class TempFilesIT {
  @OnEveryJdk
  void uploadsOfOneShapeAreCountedAndAPlantedLinkIsReportedOnItsOwn(Path java, @TempDir Path work)
      throws Exception {
    Path uploads =
        Path.of(
            "/tmp", "tripline-uploads-" + System.nanoTime()); // a temp directory, as uploads are
    Path secret = Files.writeString(work.resolve("secret.txt"), "s3cret");
    Path link = Path.of(uploads + "-link");
    Path other = Files.createDirectories(work.resolve("other"));
    try {
      AgentRun run =
          AgentRun.testApp(
                  java,
                  work,
                  "dev.tripline.testapp.TempFilesApp",
                  List.of(),
                  uploads.toString(),
                  secret.toString(),
                  link.toString(),
                  other.toString())
              .assertFinished("TEMPFILES DONE");

      for (String kind : List.of("FILE_WRITE", "FILE_DELETE")) {
        List<Map<String, Object>> records = inUploads(run, kind, uploads);
        long count = records.stream().mapToLong(e -> (Long) e.get("count")).sum();
        assertEquals(1000, count, kind + ": every upload counted\n" + run);
        assertTrue(
            records.size() <= 4,
            kind + ": a handful of records, not a thousand: " + records.size());
      }
      List<Map<String, Object>> reads = inUploads(run, "FILE_READ", uploads);
      String secretReal = secret.toRealPath().toString();
      List<Map<String, Object>> throughLink =
          reads.stream()
              .filter(e -> secretReal.equals(e.get("realPath")))
              .collect(Collectors.toList());
      assertEquals(
          1,
          throughLink.size(),
          "the planted link is its own event, with the secret as real path:\n" + reads);
      assertEquals(
          1001,
          reads.stream().mapToLong(e -> (Long) e.get("count")).sum(),
          "every read counted once");

      List<Map<String, Object>> made =
          run.ofKind("FILE_WRITE").stream()
              .filter(e -> String.valueOf(e.get("path")).startsWith(link + "/made-"))
              .collect(Collectors.toList());
      String uploadsReal = uploads.toRealPath() + "/made-";
      String otherReal = other.toRealPath() + "/made-";
      assertEquals(
          500,
          made.stream()
              .filter(e -> String.valueOf(e.get("realPath")).startsWith(uploadsReal))
              .mapToLong(e -> (Long) e.get("count"))
              .sum(),
          "every file made through the link counted, under the real directory:\n" + made);
      assertEquals(
          1,
          made.stream()
              .filter(e -> String.valueOf(e.get("realPath")).startsWith(otherReal))
              .count(),
          "the file made after the link was swapped is its own event, in the other directory:\n"
              + made);
      assertTrue(made.size() <= 5, "a handful of records: " + made.size());
      assertEquals(
          1,
          run.ofKind("FILE_READ").stream()
              .filter(e -> String.valueOf(e.get("path")).endsWith("/made-read.tmp"))
              .filter(e -> secretReal.equals(e.get("realPath")))
              .count(),
          "CREATE_NEW without WRITE is a read through the link, with the secret as real path:\n"
              + run.ofKind("FILE_READ"));
    } finally {
      Files.deleteIfExists(link);
      try (Stream<Path> left = Files.list(uploads)) {
        left.forEach(p -> p.toFile().delete());
      }
      Files.deleteIfExists(uploads);
    }
  }

  private static List<Map<String, Object>> inUploads(AgentRun run, String kind, Path uploads) {
    return run.ofKind(kind).stream()
        .filter(e -> String.valueOf(e.get("path")).startsWith(uploads + "/"))
        .collect(Collectors.toList());
  }
}

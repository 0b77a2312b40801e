package dev.tripline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretsTest {
  @Test
  void aFileReferenceIsReadAndTrimmed(@TempDir Path dir) throws Exception {
    Path secret = Files.writeString(dir.resolve("pw"), "s3cr3t\n");
    assertEquals("s3cr3t", Secrets.resolve("@file:" + secret));
    assertEquals("plain", Secrets.resolve("plain"));
    assertThrows(IOException.class, () -> Secrets.resolve("@file:" + dir.resolve("absent")));
  }

  @Test
  void aHugeOrEndlessFileIsRefusedNotRead(@TempDir Path dir) throws Exception {
    Path big = Files.write(dir.resolve("big"), new byte[Secrets.MAX_BYTES + 1]);
    IOException e = assertThrows(IOException.class, () -> Secrets.resolve("@file:" + big));
    assertTrue(e.getMessage().contains("larger than 1 MiB"), e.getMessage());
    if (Files.isReadable(Path.of("/dev/zero"))) {
      assertThrows(
          IOException.class, () -> Secrets.resolve("@file:/dev/zero"), "stops after 1 MiB");
    }
  }

  @Test
  void namesThatSaySecret() {
    assertTrue(Secrets.looksSecret("kafka.ssl.key.password"));
    assertTrue(Secrets.looksSecret("kafka.sasl.jaas.config"));
    assertTrue(!Secrets.looksSecret("kafka.security.protocol"));
  }
}

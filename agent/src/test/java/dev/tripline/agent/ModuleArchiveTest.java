package dev.tripline.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The module's class archive: written as the build does, read as the module's reader does. */
class ModuleArchiveTest {
  @TempDir Path dir;

  /** A jar holding {@code archive} as {@link ModuleArchive#ENTRY}, stored or deflated. */
  private JarFile jarWith(byte[] archive, boolean stored) throws IOException {
    Path jar = dir.resolve("agent" + (stored ? "" : "-deflated") + ".jar");
    try (OutputStream file = Files.newOutputStream(jar);
        ZipOutputStream zip = new ZipOutputStream(file)) {
      zip.putNextEntry(new ZipEntry("dev/tripline/agent/TriplineAgent.class"));
      zip.write(new byte[] {1, 2, 3});
      zip.closeEntry();
      ZipEntry entry = new ZipEntry(ModuleArchive.ENTRY);
      if (stored) {
        CRC32 crc = new CRC32();
        crc.update(archive);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(archive.length);
        entry.setCrc(crc.getValue());
      }
      zip.putNextEntry(entry);
      zip.write(archive);
      zip.closeEntry();
    }
    return new JarFile(jar.toFile(), false);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void everyClassReadsBackAsWrittenStoredOrDeflatedAndNothingElseIsFound() throws Exception {
    TreeMap<String, byte[]> stored = new TreeMap<>();
    TreeMap<String, byte[]> deflated = new TreeMap<>();
    Random random = new Random(42);
    for (int i = 0; i < 500; i++) {
      byte[] data = new byte[random.nextInt(4000)];
      random.nextBytes(data);
      (i % 3 == 0 ? stored : deflated).put("p" + (i % 7) + "/C" + i + ".class", data);
    }
    // same String.hashCode (and length): each is told from the other by its name
    assertEquals("Aa.class".hashCode(), "BB.class".hashCode());
    assertEquals("Aa.class".hashCode(), "C#.class".hashCode());
    deflated.put("Aa.class", bytes("first"));
    deflated.put("BB.class", bytes("second, same hash"));
    stored.put("dev/tripline/agent/ünïcode$Inner.class", bytes("named in UTF-8"));
    stored.put("empty/E.class", new byte[0]);

    try (JarFile jar = jarWith(ModuleArchive.Writer.write(stored, deflated), true)) {
      ModuleArchive archive = ModuleArchive.open(jar);
      assertTrue(archive != null);
      for (var e : stored.entrySet()) {
        assertArrayEquals(e.getValue(), archive.read(e.getKey()), e.getKey());
      }
      for (var e : deflated.entrySet()) {
        assertArrayEquals(e.getValue(), archive.read(e.getKey()), e.getKey());
      }
      for (String absent :
          new String[] {"C1.class", "p1/C1", "p1/C2.class", "Ab.class", "C#.class", "", "Aa.c"}) {
        assertNull(archive.read(absent), absent);
      }
    }
  }

  @Test
  void deflatedEntriesAreSmallerAndStoredOnesAreKeptAsTheyAre() throws Exception {
    byte[] repetitive = bytes("constant pool ".repeat(2000));
    TreeMap<String, byte[]> one = new TreeMap<>();
    one.put("a/A.class", repetitive);
    byte[] asStored = ModuleArchive.Writer.write(one, new TreeMap<>());
    byte[] asDeflated = ModuleArchive.Writer.write(new TreeMap<>(), one);
    assertTrue(asStored.length > repetitive.length, "stored: the class is there as it is");
    assertTrue(asDeflated.length < repetitive.length / 10, "deflated: " + asDeflated.length);
  }

  @Test
  void aJarWithoutTheArchiveHasNone() throws Exception {
    Path jar = dir.resolve("plain.jar");
    try (OutputStream file = Files.newOutputStream(jar);
        ZipOutputStream zip = new ZipOutputStream(file)) {
      zip.putNextEntry(new ZipEntry("a/A.class"));
      zip.closeEntry();
    }
    try (JarFile plain = new JarFile(jar.toFile(), false)) {
      assertNull(ModuleArchive.open(plain));
    }
  }

  @Test
  void aCompressedOrForeignOrTruncatedArchiveIsRefusedWithAReason() throws Exception {
    TreeMap<String, byte[]> one = new TreeMap<>();
    one.put("a/A.class", bytes("class"));
    byte[] good = ModuleArchive.Writer.write(one, new TreeMap<>());

    try (JarFile jar = jarWith(good, false)) {
      IOException e = assertThrows(IOException.class, () -> ModuleArchive.open(jar));
      assertTrue(e.getMessage().contains("must be stored"), e.getMessage());
    }
    byte[] foreign = good.clone();
    foreign[0] = 'X';
    try (JarFile jar = jarWith(foreign, true)) {
      IOException e = assertThrows(IOException.class, () -> ModuleArchive.open(jar));
      assertTrue(e.getMessage().contains("not an archive"), e.getMessage());
    }
    byte[] truncated = java.util.Arrays.copyOf(good, good.length - 3); // the class's last bytes
    try (JarFile jar = jarWith(truncated, true)) {
      ModuleArchive archive = ModuleArchive.open(jar);
      assertTrue(archive != null);
      IOException e = assertThrows(IOException.class, () -> archive.read("a/A.class"));
      assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }
  }
}

package dev.tripline.agent;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import java.util.zip.ZipEntry;
import org.jspecify.annotations.Nullable;

/**
 * The classes of the agent's module, packed into one entry of the agent jar ({@value #ENTRY},
 * stored) with an index of their own. The JVM opens the agent jar before {@code premain} (and the
 * application class loader opens it to load premain): each open reads the jar's whole central
 * directory, one record per entry, in Java code that still runs in the interpreter. With ~10 000
 * entries that was ~20 ms of CPU on the application's start-up path (docs/benchmarks.md, "Start-up:
 * one entry for the module's classes"); packed, the jar has ~80 entries, and the module's reader
 * ({@link AgentModule}) finds a class by a binary search in a small index read once, on the
 * module's own thread.
 *
 * <p>Layout (big-endian): magic, version, entry count; the index, one fixed-size record per class
 * sorted by {@link String#hashCode} of its name (hash, method, data offset, size, packed size: no
 * names, so the index is ~17 bytes a class); then the data, each class as its name (length, UTF-8)
 * followed by its bytes, stored or deflated (zlib) as the build chose. A read compares the name it
 * finds with the one asked for. The index is kept as a read-only {@link ByteBuffer}: its array is
 * {@code java.nio}'s private field, which code on the class path cannot open, so no one can
 * redirect a name to other bytes.
 *
 * <p>Written at build time by {@link Writer} (the agent's pom), read at start-up by {@link #open}.
 */
final class ModuleArchive {
  /** The jar entry that holds the archive: stored, so that its data is read in place. */
  static final String ENTRY = AgentModule.PREFIX + "module-classes";

  private static final int MAGIC = 0x544c4d41; // "TLMA"
  private static final int VERSION = 2;
  private static final int HEADER = 12;
  private static final int RECORD = 17;
  private static final int STORED = 0;
  private static final int DEFLATED = 8;

  /** Largest class the reader accepts: a corrupt size fails, never allocates gigabytes. */
  private static final int MAX_SIZE = 16 << 20;

  private final JarFile jar;
  private final JarEntry entry;
  private final ByteBuffer index;
  private final int count;

  private ModuleArchive(JarFile jar, JarEntry entry, ByteBuffer index, int count) {
    this.jar = jar;
    this.entry = entry;
    this.index = index;
    this.count = count;
  }

  /** Reads the archive's index from {@code jar}; null when the jar holds no archive. */
  static @Nullable ModuleArchive open(JarFile jar) throws IOException {
    JarEntry entry = jar.getJarEntry(ENTRY);
    if (entry == null) {
      return null;
    }
    if (entry.getMethod() != ZipEntry.STORED) {
      throw new IOException(ENTRY + " must be stored, not compressed");
    }
    try (InputStream in = jar.getInputStream(entry)) {
      ByteBuffer header = ByteBuffer.wrap(in.readNBytes(HEADER));
      int count = header.limit() < HEADER ? -1 : header.getInt(8);
      if (count < 0
          || header.getInt(0) != MAGIC
          || header.getInt(4) != VERSION
          || HEADER + (long) count * RECORD > entry.getSize()) {
        throw new IOException(ENTRY + " is not an archive this agent reads");
      }
      byte[] index = in.readNBytes(count * RECORD);
      if (index.length != count * RECORD) {
        throw new IOException(ENTRY + " is truncated");
      }
      return new ModuleArchive(jar, entry, ByteBuffer.wrap(index).asReadOnlyBuffer(), count);
    }
  }

  /** The bytes of {@code name} ("a/B.class"), or null when the archive does not hold it. */
  byte @Nullable [] read(String name) throws IOException {
    byte[] wanted = name.getBytes(StandardCharsets.UTF_8);
    int hash = name.hashCode();
    for (int i = first(hash); i < count && index.getInt(i * RECORD) == hash; i++) {
      byte[] bytes = read(i, wanted);
      if (bytes != null) {
        return bytes;
      }
    }
    return null;
  }

  /** The first record whose hash is {@code hash} or more. */
  private int first(int hash) {
    int low = 0;
    int high = count;
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (index.getInt(mid * RECORD) < hash) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return low;
  }

  /** Record {@code i}'s class if its name is {@code wanted}, else null. */
  private byte @Nullable [] read(int i, byte[] wanted) throws IOException {
    int at = i * RECORD;
    int method = index.get(at + 4);
    long offset = index.getInt(at + 5) & 0xffffffffL;
    int size = index.getInt(at + 9);
    int packed = index.getInt(at + 13);
    if (size < 0 || size > MAX_SIZE || packed < 0 || packed > MAX_SIZE) {
      throw new IOException(ENTRY + ": bad record " + i);
    }
    int head = 2 + wanted.length;
    byte[] data;
    try (InputStream in = jar.getInputStream(entry)) {
      if (in.skip(offset) != offset) {
        throw new IOException(ENTRY + " is truncated");
      }
      data = in.readNBytes(head + packed);
    }
    if (data.length < 2) {
      throw new IOException(ENTRY + " is truncated");
    }
    if (((data[0] & 0xff) << 8 | (data[1] & 0xff)) != wanted.length) {
      return null; // another name of the same hash
    }
    if (data.length != head + packed) {
      throw new IOException(ENTRY + " is truncated");
    }
    if (!Arrays.equals(data, 2, head, wanted, 0, wanted.length)) {
      return null; // another name of the same hash and length
    }
    if (method == STORED) {
      return Arrays.copyOfRange(data, head, data.length);
    }
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(data, head, packed);
      byte[] out = new byte[size];
      int n = 0;
      while (n < size && !inflater.finished()) {
        int k = inflater.inflate(out, n, size - n);
        if (k == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          break;
        }
        n += k;
      }
      if (n != size) {
        throw new IOException(
            ENTRY + ": record " + i + " inflates to " + n + " bytes, not " + size);
      }
      return out;
    } catch (DataFormatException e) {
      throw new IOException(ENTRY + ": record " + i + " is corrupt", e);
    } finally {
      inflater.end();
    }
  }

  /**
   * Packs class files into an archive, at build time: {@code <archive> <stored dir> <deflated
   * dir>}. Classes start-up loads go stored (read in place, nothing to inflate on the application's
   * start-up path), the rest deflated. Entry names are the paths under each directory
   * ("a/B.class").
   */
  static final class Writer {
    private Writer() {}

    public static void main(String[] args) throws IOException {
      TreeMap<String, byte[]> stored = classes(Path.of(args[1]));
      TreeMap<String, byte[]> deflated = classes(Path.of(args[2]));
      for (String name : stored.keySet()) {
        if (deflated.containsKey(name)) {
          throw new IOException("packed twice: " + name);
        }
      }
      Files.write(Path.of(args[0]), write(stored, deflated));
    }

    private static TreeMap<String, byte[]> classes(Path dir) throws IOException {
      TreeMap<String, byte[]> out = new TreeMap<>();
      if (!Files.isDirectory(dir)) {
        return out;
      }
      List<Path> files = new ArrayList<>();
      try (Stream<Path> walk = Files.walk(dir)) {
        walk.filter(Files::isRegularFile).forEach(files::add);
      }
      for (Path f : files) {
        out.put(dir.relativize(f).toString().replace('\\', '/'), Files.readAllBytes(f));
      }
      return out;
    }

    /** The archive holding {@code stored} as they are and {@code deflated} compressed. */
    static byte[] write(TreeMap<String, byte[]> stored, TreeMap<String, byte[]> deflated)
        throws IOException {
      List<Packed> entries = new ArrayList<>();
      for (var e : stored.entrySet()) {
        entries.add(new Packed(e.getKey(), STORED, e.getValue(), e.getValue()));
      }
      for (var e : deflated.entrySet()) {
        entries.add(new Packed(e.getKey(), DEFLATED, e.getValue(), deflate(e.getValue())));
      }
      entries.sort(Comparator.comparingInt((Packed p) -> p.name.hashCode()));
      long offset = HEADER + (long) entries.size() * RECORD;
      ByteArrayOutputStream archive = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(archive);
      out.writeInt(MAGIC);
      out.writeInt(VERSION);
      out.writeInt(entries.size());
      for (Packed p : entries) {
        out.writeInt(p.name.hashCode());
        out.writeByte(p.method);
        out.writeInt((int) offset);
        out.writeInt(p.size);
        out.writeInt(p.data.length);
        offset += 2 + p.utf8.length + p.data.length;
      }
      if (offset > 0xffffffffL) {
        throw new IOException("archive over 4 GiB");
      }
      for (Packed p : entries) {
        out.writeShort(p.utf8.length);
        out.write(p.utf8);
        out.write(p.data);
      }
      out.flush();
      return archive.toByteArray();
    }

    /** One class as the archive keeps it. */
    private static final class Packed {
      final String name;
      final byte[] utf8;
      final int method;
      final int size;
      final byte[] data;

      Packed(String name, int method, byte[] original, byte[] data) throws IOException {
        this.name = name;
        this.utf8 = name.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > 0xffff) {
          throw new IOException("name too long: " + name);
        }
        this.method = method;
        this.size = original.length;
        this.data = data;
      }
    }

    private static byte[] deflate(byte[] bytes) {
      Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
      try {
        deflater.setInput(bytes);
        deflater.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 2 + 64);
        byte[] buf = new byte[8192];
        while (!deflater.finished()) {
          out.write(buf, 0, deflater.deflate(buf));
        }
        return out.toByteArray();
      } finally {
        deflater.end();
      }
    }
  }
}

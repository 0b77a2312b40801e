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
 * application class loader opens it again to load premain): each reads the jar's whole central
 * directory, one record per entry, in Java code that still runs in the interpreter. With ~7 000
 * classes as entries of their own that was ~25 ms of CPU on the application's start-up path
 * (docs/benchmarks.md, "Start-up: one entry for the module's classes"); packed, the jar has ~100
 * entries, and the module's reader ({@link AgentModule}) finds a class here with one hash probe in
 * an index read once, on the module's own thread.
 *
 * <p>Layout (big-endian): magic, version, slot count (a power of two), entry count, index length;
 * the slots (offset of an entry's record in the index, or -1: open addressing on {@link
 * String#hashCode}, probed linearly); the records (name length, name in UTF-8, method, data offset,
 * size, packed size); then the data, each class stored or deflated (zlib) as the build chose. The
 * index is kept as a read-only {@link ByteBuffer}: its array is {@code java.nio}'s private field,
 * which code on the class path cannot open, so no one can redirect a name to other bytes.
 *
 * <p>Written at build time by {@link Writer} (the agent's pom), read at start-up by {@link #open}.
 */
final class ModuleArchive {
  /** The jar entry that holds the archive: stored, so that its data is read in place. */
  static final String ENTRY = AgentModule.PREFIX + "module-classes";

  private static final int MAGIC = 0x544c4d41; // "TLMA"
  private static final int VERSION = 1;
  private static final int HEADER = 20;
  private static final int STORED = 0;
  private static final int DEFLATED = 8;

  /** Largest class the reader accepts: a corrupt size fails, never allocates gigabytes. */
  private static final int MAX_SIZE = 16 << 20;

  private final JarFile jar;
  private final JarEntry entry;
  private final ByteBuffer index;
  private final int mask;

  private ModuleArchive(JarFile jar, JarEntry entry, ByteBuffer index, int slots) {
    this.jar = jar;
    this.entry = entry;
    this.index = index;
    this.mask = slots - 1;
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
      byte[] head = in.readNBytes(HEADER);
      ByteBuffer header = ByteBuffer.wrap(head);
      if (head.length < HEADER
          || header.getInt(0) != MAGIC
          || header.getInt(4) != VERSION
          || Integer.bitCount(header.getInt(8)) != 1
          || header.getInt(16) < HEADER + 4 * header.getInt(8)
          || header.getInt(16) > entry.getSize()) {
        throw new IOException(ENTRY + " is not an archive this agent reads");
      }
      int slots = header.getInt(8);
      byte[] index = new byte[header.getInt(16)];
      System.arraycopy(head, 0, index, 0, HEADER);
      if (in.readNBytes(index, HEADER, index.length - HEADER) != index.length - HEADER) {
        throw new IOException(ENTRY + " is truncated");
      }
      return new ModuleArchive(jar, entry, ByteBuffer.wrap(index).asReadOnlyBuffer(), slots);
    }
  }

  /** The bytes of {@code name} ("a/B.class"), or null when the archive does not hold it. */
  byte @Nullable [] read(String name) throws IOException {
    int record = find(name);
    if (record < 0) {
      return null;
    }
    int at = record + 2 + (index.getShort(record) & 0xffff);
    int method = index.get(at);
    long offset = index.getInt(at + 1) & 0xffffffffL;
    int size = index.getInt(at + 5);
    int packed = index.getInt(at + 9);
    if (size < 0 || size > MAX_SIZE || packed < 0 || packed > MAX_SIZE) {
      throw new IOException(ENTRY + ": bad record for " + name);
    }
    byte[] data;
    try (InputStream in = jar.getInputStream(entry)) {
      if (in.skip(offset) != offset) {
        throw new IOException(ENTRY + " is truncated");
      }
      data = in.readNBytes(packed);
    }
    if (data.length != packed) {
      throw new IOException(ENTRY + " is truncated");
    }
    if (method == STORED) {
      return data;
    }
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(data);
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
        throw new IOException(ENTRY + ": " + name + " inflates to " + n + " bytes, not " + size);
      }
      return out;
    } catch (DataFormatException e) {
      throw new IOException(ENTRY + ": " + name + " is corrupt", e);
    } finally {
      inflater.end();
    }
  }

  /** Whether the archive holds {@code name}. */
  boolean contains(String name) {
    return find(name) >= 0;
  }

  /** The offset of {@code name}'s record in the index, or -1. */
  private int find(String name) {
    byte[] wanted = name.getBytes(StandardCharsets.UTF_8);
    for (int slot = name.hashCode() & mask, probes = 0; probes <= mask; probes++) {
      int record = index.getInt(HEADER + 4 * slot);
      if (record < 0) {
        return -1;
      }
      if (sameName(record, wanted)) {
        return record;
      }
      slot = (slot + 1) & mask;
    }
    return -1;
  }

  private boolean sameName(int record, byte[] wanted) {
    if ((index.getShort(record) & 0xffff) != wanted.length) {
      return false;
    }
    for (int i = 0; i < wanted.length; i++) {
      if (index.get(record + 2 + i) != wanted[i]) {
        return false;
      }
    }
    return true;
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
      List<String> names = new ArrayList<>();
      List<byte[]> data = new ArrayList<>();
      List<Integer> methods = new ArrayList<>();
      List<Integer> sizes = new ArrayList<>();
      for (var e : stored.entrySet()) {
        names.add(e.getKey());
        data.add(e.getValue());
        methods.add(STORED);
        sizes.add(e.getValue().length);
      }
      for (var e : deflated.entrySet()) {
        names.add(e.getKey());
        data.add(deflate(e.getValue()));
        methods.add(DEFLATED);
        sizes.add(e.getValue().length);
      }
      int slots = Integer.highestOneBit(Math.max(1, names.size()) * 2 - 1) * 2; // load ≤ 1/2
      int[] table = new int[slots];
      java.util.Arrays.fill(table, -1);
      ByteArrayOutputStream records = new ByteArrayOutputStream();
      DataOutputStream r = new DataOutputStream(records);
      int recordsStart = HEADER + 4 * slots;
      long dataOffset = 0;
      long[] offsets = new long[names.size()];
      int recordsLength = 0;
      for (String name : names) {
        recordsLength += 2 + name.getBytes(StandardCharsets.UTF_8).length + 13;
      }
      long dataStart = recordsStart + recordsLength;
      for (int i = 0; i < names.size(); i++) {
        offsets[i] = dataStart + dataOffset;
        dataOffset += data.get(i).length;
      }
      if (dataStart + dataOffset > 0xffffffffL) {
        throw new IOException("archive over 4 GiB");
      }
      for (int i = 0; i < names.size(); i++) {
        String name = names.get(i);
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        int slot = name.hashCode() & (slots - 1);
        while (table[slot] >= 0) {
          slot = (slot + 1) & (slots - 1);
        }
        table[slot] = recordsStart + r.size();
        r.writeShort(utf8.length);
        r.write(utf8);
        r.writeByte(methods.get(i));
        r.writeInt((int) offsets[i]);
        r.writeInt(sizes.get(i));
        r.writeInt(data.get(i).length);
      }
      ByteArrayOutputStream archive = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(archive);
      out.writeInt(MAGIC);
      out.writeInt(VERSION);
      out.writeInt(slots);
      out.writeInt(names.size());
      out.writeInt((int) dataStart);
      for (int t : table) {
        out.writeInt(t);
      }
      records.writeTo(out);
      for (byte[] d : data) {
        out.write(d);
      }
      out.flush();
      return archive.toByteArray();
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

/*
 * The cost of reading a file's device, inode and link count, as the agent's SameFiles does on
 * first sight of a file: through the JDK's "unix:" attribute map, and typed (PosixFileAttributes,
 * then UnixFileAttributes' own accessors through handles, as record.UnixAttributes does). Thread
 * CPU per call, the two forms alternating in blocks. docs/benchmarks.md, issue 25.
 *
 *   java --add-opens java.base/sun.nio.fs=ALL-UNNAMED bench/attr/AttrCost.java /dev/shm
 */
import java.lang.invoke.*;
import java.lang.management.*;
import java.nio.file.*;
import java.nio.file.attribute.*;
import java.util.*;
public class AttrCost {
  static MethodHandle DEV, INO, NLINK;
  static long sink;
  public static void main(String[] a) throws Throwable {
    Class<?> t = Class.forName("sun.nio.fs.UnixFileAttributes");
    MethodHandles.Lookup l = MethodHandles.privateLookupIn(t, MethodHandles.lookup());
    DEV = l.findVirtual(t, "dev", MethodType.methodType(long.class)).asType(MethodType.methodType(long.class, Object.class));
    INO = l.findVirtual(t, "ino", MethodType.methodType(long.class)).asType(MethodType.methodType(long.class, Object.class));
    NLINK = l.findVirtual(t, "nlink", MethodType.methodType(int.class)).asType(MethodType.methodType(int.class, Object.class));
    Path dir = Files.createTempDirectory(Path.of(a[0]), "ac");
    Path f = dir.resolve("t123.tmp"); Files.write(f, new byte[16]);
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    int n = 100_000;
    List<Double> map = new ArrayList<>(), typed = new ArrayList<>();
    for (int r = 0; r < 12; r++) {
      long c0 = mx.getCurrentThreadCpuTime();
      for (int i = 0; i < n; i++) { Map<String,Object> m = Files.readAttributes(f, "unix:dev,ino,nlink,mode", LinkOption.NOFOLLOW_LINKS); sink += ((Number) m.get("ino")).longValue() + ((Number) m.get("nlink")).intValue() + ((Number) m.get("dev")).longValue() + ((Number) m.get("mode")).intValue(); }
      long c1 = mx.getCurrentThreadCpuTime();
      for (int i = 0; i < n; i++) { PosixFileAttributes x = Files.readAttributes(f, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS); if (!x.isSymbolicLink()) sink += (long) DEV.invokeExact((Object) x) + (long) INO.invokeExact((Object) x) + (int) NLINK.invokeExact((Object) x); }
      long c2 = mx.getCurrentThreadCpuTime();
      if (r >= 2) { map.add((c1 - c0) / 1e3 / n); typed.add((c2 - c1) / 1e3 / n); }
    }
    Collections.sort(map); Collections.sort(typed);
    System.out.printf("map %.3f us (%.3f-%.3f)  typed %.3f us (%.3f-%.3f)%n", map.get(5), map.get(0), map.get(9), typed.get(5), typed.get(0), typed.get(9));
    Files.delete(f); Files.delete(dir);
  }
}

/** A trivial main: the wall clock, the process's CPU and its own thread's CPU at its first line (bench/startup/launch.py). */
import java.nio.file.*;
public class StartMain {
  public static void main(String[] a) throws Exception {
    long now = System.currentTimeMillis();
    String stat = new String(Files.readAllBytes(Paths.get("/proc/self/stat")));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long cpu = (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
    String ts = new String(Files.readAllBytes(Paths.get("/proc/thread-self/schedstat"))).split(" ")[0];
    System.out.println("MAIN " + now + " " + cpu + " " + Long.parseLong(ts) / 1_000_000);
  }
}

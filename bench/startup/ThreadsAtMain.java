/**
 * A trivial main that prints, at its first line, the CPU each thread of the JVM has used so far
 * ({@code /proc/self/task/<tid>/schedstat}): where start-up's CPU went (premain's thread is the
 * main thread; the JIT's are {@code C1/C2 CompilerThre}; the agent's {@code tripline-*}). Usage:
 * {@code javac --release 11 -d /tmp/tam bench/startup/ThreadsAtMain.java; java
 * -javaagent:agent/target/tripline-agent.jar -Dtripline.sink=none -cp /tmp/tam ThreadsAtMain}
 * (docs/benchmarks.md, issue 25).
 */
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

public class ThreadsAtMain {
  public static void main(String[] a) throws Exception {
    StringBuilder b = new StringBuilder();
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Paths.get("/proc/self/task"))) {
      for (Path t : tasks) {
        String name = new String(Files.readAllBytes(t.resolve("comm"))).trim();
        String ns = new String(Files.readAllBytes(t.resolve("schedstat"))).split(" ")[0];
        long ms = Long.parseLong(ns) / 1_000_000;
        if (ms > 0) {
          b.append(name).append('=').append(ms).append(' ');
        }
      }
    }
    System.out.println("THREAD_CPU_MS " + b);
  }
}

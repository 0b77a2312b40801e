import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the request threads' CPU goes, from the recordings {@code RequestBench} writes with {@code
 * -Dbench.jfr=<dir>}: of the {@code jdk.ExecutionSample}s of Tomcat's {@code http-nio-*} threads,
 * the share whose stack holds a frame of the agent (and of each of its request-path classes), and
 * the top leaf methods. Run it on the {@code on-N.jfr} and {@code off-N.jfr} of one pair.
 *
 * <p>usage: java bench/request/RequestProfile.java <recording.jfr>...
 */
public class RequestProfile {
  private static final String[] PROBES = {
    "dev.tripline.",
    "BridgeCallers",
    "StackWalker",
    "TriplineBridge",
    "TriplineGate",
    "HookDispatcher",
    "RequestContexts",
    "EventRecorder",
    "Occurrence",
    "HandedOverRequests",
    "TaskHandoff",
    "RequestReader"
  };

  public static void main(String[] args) throws Exception {
    for (String file : args) {
      Map<String, Integer> leaves = new HashMap<>();
      Map<String, Integer> probes = new LinkedHashMap<>();
      int n = 0;
      for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(file))) {
        if (!e.getEventType().getName().equals("jdk.ExecutionSample")) {
          continue;
        }
        RecordedThread t = e.getThread("sampledThread");
        RecordedStackTrace st = e.getStackTrace();
        if (t == null
            || t.getJavaName() == null
            || !t.getJavaName().startsWith("http-nio")
            || st == null) {
          continue;
        }
        n++;
        List<RecordedFrame> frames = st.getFrames();
        if (!frames.isEmpty()) {
          leaves.merge(name(frames.get(0).getMethod()), 1, Integer::sum);
        }
        Set<String> hit = new HashSet<>();
        for (RecordedFrame f : frames) {
          String m = name(f.getMethod());
          for (String p : PROBES) {
            if (m.contains(p)) {
              hit.add(p);
            }
          }
        }
        for (String p : hit) {
          probes.merge(p, 1, Integer::sum);
        }
      }
      int samples = n;
      System.out.printf("== %s: %d samples of http-nio threads%n", file, samples);
      for (String p : PROBES) {
        System.out.printf(
            Locale.ROOT, "  %-20s %5.2f%%%n", p, 100.0 * probes.getOrDefault(p, 0) / samples);
      }
      leaves.entrySet().stream()
          .sorted((x, y) -> y.getValue() - x.getValue())
          .limit(8)
          .forEach(
              l ->
                  System.out.printf(
                      Locale.ROOT,
                      "    leaf %5.2f%% %s%n",
                      100.0 * l.getValue() / samples,
                      l.getKey()));
    }
  }

  private static String name(RecordedMethod m) {
    return m.getType().getName() + "." + m.getName();
  }
}

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * What request context costs a Spring Boot request: the it-spring app (Tomcat, Spring MVC) with the
 * agent ({@code sink=none}), {@code tripline.request.context=true} against {@code false}.
 *
 * <p>Each pair starts both JVMs side by side (one per side), warms both up in alternating slices
 * (C2 settles late in a Spring app), then measures many short windows, alternating the side each
 * window in ABBA order, so that what the other tenants of a shared machine do (and its slow drift)
 * falls on both sides alike. The primary figure is the application JVM's own CPU time per request,
 * summed over its threads from {@code /proc/<pid>/task/<tid>/schedstat} (nanoseconds, not 10 ms
 * ticks): the client's threads and the other tenants move requests per second a lot and the app's
 * CPU per request little. Each window is paired with its neighbour of the other side: the median of
 * the pairs' ratios is the result, their quartiles the spread. The request threads' CPU alone
 * ({@code http-nio-*}) is reported beside it (no GC, no JIT). With {@code -Dbench.jfr=<dir>} both
 * JVMs record JFR's profile settings ({@code <dir>/on-<pair>.jfr}, {@code off-<pair>.jfr}).
 *
 * <p>{@code /files/report} reads one file per request (a repeat for the agent, inside a request
 * scope); {@code /ping} does no I/O.
 *
 * <p>usage: java bench/request/RequestBench.java <java> <agent.jar> <app.jar> [pairs=2]
 * [windows=16] [seconds=3] [clients=2] [path=/files/report] [warmup-seconds=60]
 */
public class RequestBench {
  public static void main(String[] args) throws Exception {
    String java = args[0];
    Path agent = Path.of(args[1]);
    Path app = Path.of(args[2]);
    int pairs = args.length > 3 ? Integer.parseInt(args[3]) : 2;
    int windows = args.length > 4 ? Integer.parseInt(args[4]) : 16;
    int seconds = args.length > 5 ? Integer.parseInt(args[5]) : 3;
    int clients = args.length > 6 ? Integer.parseInt(args[6]) : 2;
    String path = args.length > 7 ? args[7] : "/files/report";
    int warmup = args.length > 8 ? Integer.parseInt(args[8]) : 60;
    requestPath = path;
    String jfr = System.getProperty("bench.jfr");
    Path work = Files.createTempDirectory("request-bench");
    Path data = Files.writeString(work.resolve("data.txt"), "data");
    Files.writeString(work.resolve("report.txt"), "twelve bytes");
    List<Double> ratios = new ArrayList<>();
    List<Double> execRatios = new ArrayList<>();
    List<Double> rpsRatios = new ArrayList<>();
    List<Double> cpuOn = new ArrayList<>();
    List<Double> cpuOff = new ArrayList<>();
    System.out.printf(
        "# %d pairs x %d windows of %d s, %d clients, %s, warm-up %d s per side; load %s%n",
        pairs, windows, seconds, clients, path, warmup, load());
    for (int p = 1; p <= pairs; p++) {
      try (App on = App.start(java, agent, app, data, true, jfr, p);
          App off = App.start(java, agent, app, data, false, jfr, p)) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        on.awaitUp(http, path);
        off.awaitUp(http, path);
        for (int w = 0; w < warmup; w += 5) { // alternating slices: both sides get the same CPU
          load(http, on.uri, clients, 5);
          load(http, off.uri, clients, 5);
        }
        Window[] last = new Window[2];
        for (int w = 0; w < windows; w++) {
          boolean onFirst = w % 4 == 0 || w % 4 == 3; // ABBA
          for (App side : onFirst ? new App[] {on, off} : new App[] {off, on}) {
            Window m = side.measure(http, clients, seconds);
            (side.context ? cpuOn : cpuOff).add(m.cpuUs());
            System.out.printf(
                Locale.ROOT,
                "pair %d window %2d request.context=%-5s %5.0f req/s, %6.1f us CPU/request"
                    + " (http-nio threads %6.1f us, JIT %5.0f ms), load %s%n",
                p, w + 1, side.context, m.rps(), m.cpuUs(), m.execUs(), m.jitNs() / 1e6, load());
            last[side.context ? 0 : 1] = m;
          }
          ratios.add(last[0].cpuUs() / last[1].cpuUs());
          execRatios.add(last[0].execUs() / last[1].execUs());
          rpsRatios.add(last[1].rps() / last[0].rps());
        }
      }
    }
    System.out.printf(
        Locale.ROOT,
        "CPU/request on: median %.1f us (quartiles %.1f-%.1f, min %.1f, max %.1f)%n",
        q(cpuOn, 2), q(cpuOn, 1), q(cpuOn, 3), q(cpuOn, 0), q(cpuOn, 4));
    System.out.printf(
        Locale.ROOT,
        "CPU/request off: median %.1f us (quartiles %.1f-%.1f, min %.1f, max %.1f)%n",
        q(cpuOff, 2), q(cpuOff, 1), q(cpuOff, 3), q(cpuOff, 0), q(cpuOff, 4));
    System.out.printf(
        Locale.ROOT,
        "paired on/off CPU/request: median x%.3f (quartiles x%.3f-x%.3f) over %d pairs of windows%n",
        q(ratios, 2), q(ratios, 1), q(ratios, 3), ratios.size());
    System.out.printf(
        Locale.ROOT,
        "paired on/off http-nio threads' CPU/request: median x%.3f (quartiles x%.3f-x%.3f)%n",
        q(execRatios, 2), q(execRatios, 1), q(execRatios, 3));
    System.out.printf(
        Locale.ROOT,
        "paired off/on req/s: median x%.3f (quartiles x%.3f-x%.3f)%n",
        q(rpsRatios, 2), q(rpsRatios, 1), q(rpsRatios, 3));
  }

  record Window(long requests, double seconds, long cpuNs, long execNs, long jitNs) {
    double rps() {
      return requests / seconds;
    }

    double cpuUs() {
      return cpuNs / 1000.0 / Math.max(1, requests);
    }

    double execUs() {
      return execNs / 1000.0 / Math.max(1, requests);
    }
  }

  static final class App implements AutoCloseable {
    final boolean context;
    final Process process;
    final URI uri;

    private App(boolean context, Process process, URI uri) {
      this.context = context;
      this.process = process;
      this.uri = uri;
    }

    static App start(
        String java, Path agent, Path app, Path data, boolean context, String jfr, int pair)
        throws IOException {
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      List<String> cmd = new ArrayList<>();
      cmd.add(java);
      cmd.add("-javaagent:" + agent.toAbsolutePath());
      cmd.add("-Dtripline.sink=none");
      cmd.add("-Dtripline.request.context=" + context);
      if (jfr != null) {
        cmd.add(
            "-XX:StartFlightRecording:settings=profile,filename="
                + Path.of(jfr).toAbsolutePath().resolve((context ? "on-" : "off-") + pair + ".jfr"));
      }
      cmd.addAll(
          List.of(
              "-jar",
              app.toAbsolutePath().toString(),
              "--server.port=" + port,
              "--app.read-file=" + data.toAbsolutePath(),
              "--logging.level.root=WARN"));
      Process p =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      return new App(context, p, URI.create("http://127.0.0.1:" + port));
    }

    void awaitUp(HttpClient http, String path) throws Exception {
      URI target = uri.resolve(path);
      for (int i = 0; i < 1200; i++) {
        try {
          if (http.send(
                      HttpRequest.newBuilder(target).build(),
                      HttpResponse.BodyHandlers.discarding())
                  .statusCode()
              == 200) {
            return;
          }
        } catch (IOException starting) {
          Thread.sleep(100);
        }
      }
      throw new IllegalStateException("not up: " + target);
    }

    Window measure(HttpClient http, int clients, int seconds) throws Exception {
      long t0 = System.nanoTime();
      long[] cpu0 = cpuNs(process.pid());
      long n = load(http, uri, clients, seconds);
      long[] cpu1 = cpuNs(process.pid());
      double elapsed = (System.nanoTime() - t0) / 1e9;
      return new Window(n, elapsed, cpu1[0] - cpu0[0], cpu1[1] - cpu0[1], cpu1[2] - cpu0[2]);
    }

    @Override
    public void close() throws InterruptedException {
      process.destroy(); // SIGTERM: the JFR recording is written on exit
      process.waitFor();
    }
  }

  /**
   * CPU time of a process in ns, summed over its live threads ({@code schedstat}'s first field),
   * of its {@code http-nio-*} threads alone, and of its JIT compiler threads (a window in which
   * they still work measures code not yet settled).
   */
  static long[] cpuNs(long pid) throws IOException {
    long all = 0;
    long exec = 0;
    long jit = 0;
    try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      for (Path t : (Iterable<Path>) tasks::iterator) {
        try {
          long ns = Long.parseLong(Files.readString(t.resolve("schedstat")).split(" ")[0]);
          all += ns;
          String comm = Files.readString(t.resolve("comm"));
          if (comm.startsWith("http-nio-")) {
            exec += ns;
          } else if (comm.contains("CompilerThre")) {
            jit += ns;
          }
        } catch (IOException | RuntimeException gone) {
          // a thread that ended between the listing and the read
        }
      }
    }
    return new long[] {all, exec, jit};
  }

  static String load() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "?";
    }
  }

  static long load(HttpClient http, URI base, int clients, int seconds) throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    List<Future<Long>> done = new ArrayList<>();
    HttpRequest req = HttpRequest.newBuilder(base.resolve(requestPath)).build();
    for (int c = 0; c < clients; c++) {
      done.add(
          pool.submit(
              () -> {
                long n = 0;
                while (!stop.get()) {
                  if (http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode() != 200) {
                    throw new IllegalStateException("not 200");
                  }
                  n++;
                }
                return n;
              }));
    }
    Thread.sleep(seconds * 1000L);
    stop.set(true);
    long total = 0;
    for (Future<Long> f : done) total += f.get();
    pool.shutdown();
    return total;
  }

  /** The path every client requests (the command line's). */
  static String requestPath = "/files/report";

  /** The {@code k}-th quartile (0 = min, 2 = median, 4 = max), linearly interpolated. */
  static double q(List<Double> xs, int k) {
    List<Double> s = new ArrayList<>(xs);
    s.sort(null);
    double pos = (s.size() - 1) * k / 4.0;
    int lo = (int) Math.floor(pos);
    int hi = (int) Math.ceil(pos);
    return s.get(lo) + (s.get(hi) - s.get(lo)) * (pos - lo);
  }
}

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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Requests per second of the it-spring Boot app (Tomcat, Spring MVC) with the agent attached, with
 * request context on and off ({@code tripline.request.context}), in alternating rounds: each round
 * starts the app afresh on one side, warms it up, then counts the requests {@code clients} keep-alive
 * clients complete in {@code seconds}. {@code /files/report} reads one file per request (a repeat
 * for the agent, inside a request scope); {@code /ping} does no I/O. The agent sends nowhere
 * ({@code sink=none}): the request path is what is measured. Besides requests per second (which
 * on a shared machine mostly measures the other tenants) it reports the application JVM's own CPU
 * time per request ({@code /proc/<pid>/stat} utime + stime over the measured window): what the
 * agent's request scopes cost the application.
 *
 * <p>usage: java bench/request/RequestBench.java <java> <agent.jar> <app.jar> [rounds=5]
 * [seconds=10] [clients=4] [path=/files/report]
 */
public class RequestBench {
  public static void main(String[] args) throws Exception {
    String java = args[0];
    Path agent = Path.of(args[1]);
    Path app = Path.of(args[2]);
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 5;
    int seconds = args.length > 4 ? Integer.parseInt(args[4]) : 10;
    int clients = args.length > 5 ? Integer.parseInt(args[5]) : 4;
    String path = args.length > 6 ? args[6] : "/files/report";
    Path work = Files.createTempDirectory("request-bench");
    Path data = Files.writeString(work.resolve("data.txt"), "data");
    Files.writeString(work.resolve("report.txt"), "twelve bytes");
    List<Double> on = new ArrayList<>();
    List<Double> off = new ArrayList<>();
    List<Double> cpuOn = new ArrayList<>();
    List<Double> cpuOff = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      for (boolean context : r % 2 == 0 ? new boolean[] {true, false} : new boolean[] {false, true}) {
        double[] m = round(java, agent, app, data, context, seconds, clients, path);
        (context ? on : off).add(m[0]);
        (context ? cpuOn : cpuOff).add(m[1]);
        System.out.printf(
            "round %d request.context=%s %.0f req/s, %.1f us CPU/request%n",
            r + 1, context, m[0], m[1]);
      }
    }
    double mOn = median(on);
    double mOff = median(off);
    System.out.printf(
        "median: request.context=true %.0f req/s, false %.0f req/s; off/on = x%.3f%n",
        mOn, mOff, mOff / mOn);
    System.out.printf(
        "median CPU/request: request.context=true %.1f us, false %.1f us; on/off = x%.3f%n",
        median(cpuOn), median(cpuOff), median(cpuOn) / median(cpuOff));
  }

  static double[] round(
      String java, Path agent, Path app, Path data, boolean context, int seconds, int clients,
      String path)
      throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Process p =
        new ProcessBuilder(
                java,
                "-javaagent:" + agent.toAbsolutePath(),
                "-Dtripline.sink=none",
                "-Dtripline.request.context=" + context,
                "-jar",
                app.toAbsolutePath().toString(),
                "--server.port=" + port,
                "--app.read-file=" + data.toAbsolutePath(),
                "--logging.level.root=WARN")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      URI uri = URI.create("http://127.0.0.1:" + port + path);
      for (int i = 0; i < 1200; i++) {
        try {
          if (http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding())
                  .statusCode()
              == 200) break;
        } catch (java.io.IOException starting) {
          Thread.sleep(100);
        }
      }
      load(http, uri, clients, 5); // warm-up: the JIT, Tomcat's pools
      long cpu0 = cpuTicks(p.pid());
      long n = load(http, uri, clients, seconds);
      long cpu1 = cpuTicks(p.pid());
      // clock ticks are 10 ms (USER_HZ 100 on Linux)
      return new double[] {n / (double) seconds, (cpu1 - cpu0) * 10_000.0 / Math.max(1, n)};
    } finally {
      p.destroy();
      p.waitFor();
    }
  }

  /** utime + stime of a process, in clock ticks. */
  static long cpuTicks(long pid) throws java.io.IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  static long load(HttpClient http, URI uri, int clients, int seconds) throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    List<Future<Long>> done = new ArrayList<>();
    HttpRequest req = HttpRequest.newBuilder(uri).build();
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

  static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    s.sort(null);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }
}

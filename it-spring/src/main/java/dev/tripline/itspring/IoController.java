package dev.tripline.itspring;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The endpoints the tests and benchmarks call (keep their paths stable): {@code /read} reads the
 * file {@code app.read-file}, {@code /call} calls {@code app.call-url} with RestClient on the JDK
 * HttpClient, {@code /webclient} calls it with Spring's reactive WebClient on Reactor Netty (its
 * event loops connect and resolve), {@code /webclient-later} builds that request here but sends it
 * from another thread (a Reactor scheduler's), as reactive code does, {@code /files/{name}} reads
 * {@code name}.txt beside {@code app.read-file} (a route template), {@code /ping} does no I/O.
 */
@RestController
public class IoController {
  private final Path readFile;
  private final String callUrl;
  private final RestClient client;
  private final WebClient webClient = WebClient.create();

  public IoController(
      @Value("${app.read-file:/etc/hostname}") String readFile,
      @Value("${app.call-url:http://127.0.0.1:1/}") String callUrl) {
    this.readFile = Path.of(readFile);
    this.callUrl = callUrl;
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    this.client =
        RestClient.builder().requestFactory(new JdkClientHttpRequestFactory(http)).build();
  }

  @GetMapping("/read")
  public String read() throws IOException {
    return Integer.toString(Files.readAllBytes(readFile).length);
  }

  @GetMapping("/call")
  public String call() {
    String body = client.get().uri(callUrl).retrieve().body(String.class);
    return Integer.toString(body == null ? 0 : body.length());
  }

  @GetMapping("/webclient")
  public String webClient() {
    String body =
        webClient
            .get()
            .uri(callUrl)
            .retrieve()
            .bodyToMono(String.class)
            .block(Duration.ofSeconds(10));
    return Integer.toString(body == null ? 0 : body.length());
  }

  @GetMapping("/webclient-later")
  public String webClientLater(@RequestParam("url") String url) throws Exception {
    Mono<String> request = webClient.get().uri(url).retrieve().bodyToMono(String.class);
    String body = request.subscribeOn(Schedulers.parallel()).toFuture().get(10, TimeUnit.SECONDS);
    return Integer.toString(body == null ? 0 : body.length());
  }

  @GetMapping("/files/{name}")
  public String file(@PathVariable("name") String name) throws IOException {
    if (!name.matches("[a-z]{1,32}")) {
      throw new IllegalArgumentException("a plain name");
    }
    Path dir = readFile.toAbsolutePath().getParent();
    return Integer.toString(Files.readAllBytes(dir.resolve(name + ".txt")).length);
  }

  @GetMapping("/ping")
  public String ping() {
    return "pong";
  }
}

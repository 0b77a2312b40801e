package dev.tripline.collector.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** Options and calls shared by the commands that talk to a running collector's REST API. */
public final class ApiClient {
  @Option(
      names = "--url",
      paramLabel = "URL",
      description = "The collector's HTTP address (default http://127.0.0.1:8470).")
  String url = "http://127.0.0.1:8470";

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description = "File holding the access token (else env TRIPLINE_HTTP_TOKEN).")
  @Nullable Path tokenFile;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  String token() throws IOException {
    if (tokenFile != null) {
      return Files.readString(tokenFile).trim();
    }
    String env = System.getenv("TRIPLINE_HTTP_TOKEN");
    if (env == null || env.isBlank()) {
      throw new IllegalArgumentException(
          "no access token: use --token-file or set TRIPLINE_HTTP_TOKEN");
    }
    return env.trim();
  }

  /** A path segment or query value, percent-encoded. */
  static String encode(String value) {
    return java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8)
        .replace("+", "%20");
  }

  /** POST a JSON body to a path under /api/; the body on 200/202, else a clear error. */
  String post(String path, String json) throws IOException, InterruptedException {
    return send("POST", path, json);
  }

  /** PUT a JSON body to a path under /api/; the body on 200/202, else a clear error. */
  String put(String path, String json) throws IOException, InterruptedException {
    return send("PUT", path, json);
  }

  private String send(String method, String path, String json)
      throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url + "/api/" + path))
                .header("Authorization", "Bearer " + token())
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.ofString(json))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() == 401) {
      throw new IllegalArgumentException("the collector refused the token (401)");
    }
    if (r.statusCode() != 200 && r.statusCode() != 202) {
      String body = r.body().length() > 500 ? r.body().substring(0, 500) + "…" : r.body();
      throw new IllegalArgumentException(
          method
              + " /api/"
              + TerminalSafe.text(path)
              + " answered "
              + r.statusCode()
              + ": "
              + TerminalSafe.text(body));
    }
    return r.body();
  }

  /**
   * GET a path under /api/; the body on 200, else a clear error (the server's text escaped for the
   * terminal).
   */
  String get(String path) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url + "/api/" + path))
                .header("Authorization", "Bearer " + token())
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() == 401) {
      throw new IllegalArgumentException("the collector refused the token (401)");
    }
    if (r.statusCode() != 200) {
      String body = r.body().length() > 500 ? r.body().substring(0, 500) + "…" : r.body();
      throw new IllegalArgumentException(
          "GET /api/"
              + TerminalSafe.text(path)
              + " answered "
              + r.statusCode()
              + ": "
              + TerminalSafe.text(body));
    }
    return r.body();
  }
}

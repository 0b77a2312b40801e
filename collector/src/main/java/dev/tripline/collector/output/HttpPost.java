package dev.tripline.collector.output;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * POSTs over the JDK {@code HttpClient}, bounded against the worst receiver: redirects are never
 * followed (a redirect is a {@link Delivery.Failed} naming where it pointed: following it would
 * send the alert, signed, to wherever a compromised receiver says), at most {@link #MAX_READ} bytes
 * of an answer are read (a 10 MB answer costs 4 KiB), and connect, answer and the whole exchange
 * each have the output's timeout.
 */
final class HttpPost implements AutoCloseable {
  /** Bytes of an answer read: enough for an error message, never the receiver's choice. */
  static final int MAX_READ = 4096;

  /** Longest error text kept from an answer. */
  static final int MAX_REASON = 300;

  private final HttpClient client;
  private final URI url;
  private final Duration timeout;
  private final Duration maxRetryAfter;

  HttpPost(URI url, Duration timeout, Duration maxRetryAfter) {
    this.url = url;
    this.timeout = timeout;
    this.maxRetryAfter = maxRetryAfter;
    this.client =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(timeout)
            .build();
  }

  URI url() {
    return url;
  }

  /** One POST; the outcome classified. */
  Delivery post(String contentType, byte[] body, Map<String, String> headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(url)
            .timeout(timeout)
            .header("Content-Type", contentType)
            .header("User-Agent", "tripline-collector")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(b::header);
    Capped capped = new Capped();
    Future<HttpResponse<String>> pending = client.sendAsync(b.build(), info -> capped);
    try {
      // The request timeout covers the answer's head; this bounds the whole exchange, body
      // included: a receiver trickling its answer byte by byte cannot hold the output.
      HttpResponse<String> response = pending.get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
      String text = response.body();
      return classify(
          response.statusCode(),
          text,
          response.headers().firstValue("Location"),
          response.headers().firstValue("Retry-After").orElse(null));
    } catch (TimeoutException e) {
      pending.cancel(true);
      capped.cancel(); // drops a connection the receiver keeps trickling on
      return Delivery.retry("no answer from " + where() + " within " + timeout.toMillis() + " ms");
    } catch (ExecutionException e) {
      return failure(e.getCause() == null ? e : e.getCause());
    } catch (InterruptedException e) {
      pending.cancel(true);
      Thread.currentThread().interrupt();
      return Delivery.retry("interrupted");
    }
  }

  private Delivery failure(Throwable cause) {
    if (cause instanceof HttpTimeoutException) {
      return Delivery.retry("no answer from " + where() + " within " + timeout.toMillis() + " ms");
    }
    // Refused, reset, unresolvable: the receiver or the network may come back.
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return Delivery.retry("cannot reach " + where() + ": " + describe(root));
  }

  private Delivery classify(
      int status, String body, java.util.Optional<String> location, @Nullable String retryAfter) {
    if (status >= 200 && status < 300) {
      return Delivery.OK;
    }
    String reason = "HTTP " + status + " from " + where() + answer(body);
    if (status >= 300 && status < 400) {
      return new Delivery.Failed(
          "HTTP "
              + status
              + " from "
              + where()
              + ": redirect"
              + location.map(l -> " to " + clip(l, 200)).orElse("")
              + " not followed (configure the final URL)");
    }
    if (status == 429 || status == 503) {
      return new Delivery.Retry(reason, retryAfter(retryAfter));
    }
    if (status == 408 || status == 425 || status >= 500) {
      return Delivery.retry(reason);
    }
    return new Delivery.Failed(reason);
  }

  /** Seconds (or an HTTP date), capped at {@code retry.max}; null when absent or unreadable. */
  @Nullable Duration retryAfter(@Nullable String header) {
    if (header == null || header.isBlank() || header.length() > 64) {
      return null;
    }
    Duration wait;
    String h = header.trim();
    try {
      if (h.chars().allMatch(Character::isDigit)) {
        wait = h.length() > 9 ? maxRetryAfter : Duration.ofSeconds(Long.parseLong(h));
      } else {
        java.time.ZonedDateTime at =
            java.time.ZonedDateTime.parse(h, java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME);
        wait = Duration.between(java.time.Instant.now(), at.toInstant());
        if (wait.isNegative()) {
          wait = Duration.ZERO;
        }
      }
    } catch (RuntimeException e) {
      return null;
    }
    return wait.compareTo(maxRetryAfter) > 0 ? maxRetryAfter : wait;
  }

  private String where() {
    // Never the path or query: a Slack or PagerDuty URL holds its secret there.
    return url.getScheme()
        + "://"
        + url.getHost()
        + (url.getPort() >= 0 ? ":" + url.getPort() : "");
  }

  private static String answer(String body) {
    String b = body.strip();
    return b.isEmpty() ? "" : ": " + clip(b, MAX_REASON);
  }

  private static String describe(Throwable t) {
    @Nullable String m = t.getMessage();
    String name = t.getClass().getSimpleName();
    return m == null || m.isBlank() ? name : name + " " + clip(m, MAX_REASON);
  }

  /** One line, control characters shown as {@code ?}, cut at {@code max}. */
  static String clip(String s, int max) {
    StringBuilder b = new StringBuilder(Math.min(s.length(), max + 1));
    for (int i = 0; i < s.length() && i < max; i++) {
      char c = s.charAt(i);
      b.append(Character.isISOControl(c) ? ' ' : c);
    }
    return s.length() > max ? b.append('…').toString() : b.toString();
  }

  /**
   * An http(s) URL with a host, or an {@link IllegalArgumentException} saying what is wrong —
   * without echoing it: a Slack or PagerDuty URL carries its secret in the path.
   */
  static URI httpUrl(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (!t.startsWith("http://") && !t.startsWith("https://")) {
      throw new IllegalArgumentException("is not an http:// or https:// URL");
    }
    return uri(text);
  }

  /** A URL with a host, or an {@link IllegalArgumentException} (the value is not echoed). */
  static URI uri(String text) {
    URI u;
    try {
      u = new URI(text.trim());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException(
          "is not a URL (" + clip(e.getReason(), 80) + " at index " + e.getIndex() + ")");
    }
    if (u.getHost() == null || u.getHost().isEmpty()) {
      throw new IllegalArgumentException("has no host (scheme://host[:port]/…)");
    }
    return u;
  }

  /**
   * Keeps the first {@link #MAX_READ} bytes of an answer and cancels the rest (the connection is
   * dropped with it): a 10 MB answer costs 4 KiB.
   */
  static final class Capped implements HttpResponse.BodySubscriber<String> {
    private final CompletableFuture<String> result = new CompletableFuture<>();
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private volatile Flow.@Nullable Subscription subscription;

    @Override
    public CompletionStage<String> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      for (ByteBuffer b : items) {
        int n = Math.min(b.remaining(), MAX_READ - kept.size());
        byte[] a = new byte[n];
        b.get(a);
        kept.write(a, 0, n);
      }
      Flow.Subscription s = subscription;
      if (kept.size() >= MAX_READ) {
        if (s != null) {
          s.cancel();
        }
        result.complete(text());
      } else if (s != null) {
        s.request(1);
      }
    }

    @Override
    public void onError(Throwable t) {
      result.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      result.complete(text());
    }

    void cancel() {
      Flow.Subscription s = subscription;
      if (s != null) {
        s.cancel();
      }
    }

    private String text() {
      return new String(kept.toByteArray(), StandardCharsets.UTF_8);
    }
  }

  @Override
  public void close() {
    // Java 17's HttpClient has no close: its threads end once it is unreachable.
  }
}

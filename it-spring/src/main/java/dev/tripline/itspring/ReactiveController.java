package dev.tripline.itspring;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;

/**
 * Reactive endpoints, for the app run as WebFlux on Reactor Netty ({@code
 * --spring.main.web-application-type=reactive}): {@code /reactive/call/{what}} calls {@code
 * app.call-url} with WebClient and answers with the body's length, never blocking the event loop (a
 * route template: {@code what} is only echoed back).
 */
@RestController
public class ReactiveController {
  private final String callUrl;
  private final WebClient webClient = WebClient.create();

  public ReactiveController(@Value("${app.call-url:http://127.0.0.1:1/}") String callUrl) {
    this.callUrl = callUrl;
  }

  @GetMapping("/reactive/call/{what}")
  public Mono<String> call(@PathVariable("what") String what) {
    return webClient
        .get()
        .uri(callUrl)
        .retrieve()
        .bodyToMono(String.class)
        .map(body -> Integer.toString(body.length()));
  }
}

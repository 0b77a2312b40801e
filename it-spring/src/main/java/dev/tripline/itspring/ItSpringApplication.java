package dev.tripline.itspring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A small Spring Boot service packaged the usual way (executable fat jar) for the agent's tests and
 * benchmarks.
 */
@SpringBootApplication
public class ItSpringApplication {
  public static void main(String[] args) {
    SpringApplication.run(ItSpringApplication.class, args);
  }
}

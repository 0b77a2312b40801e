package dev.tripline.collector.demo;

import dev.tripline.collector.api.AnalystBackend;
import dev.tripline.model.Alert;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The attacker's steps against the sample service's debug endpoint, and the alert each one must
 * raise.
 */
final class AttackScript {
  record Attack(String description, String path, Predicate<Alert> matches) {}

  private final List<Attack> attacks;

  AttackScript(int attackerPort, Path secrets) {
    attacks =
        List.of(
            new Attack(
                "opens a connection to the attacker's server 127.0.0.1:" + attackerPort,
                "/debug?fetch=127.0.0.1:" + attackerPort,
                a -> a.getEvent().getNetwork().getPort() == attackerPort),
            new Attack(
                "reads cloud credentials " + secrets,
                "/debug?file=" + secrets,
                a -> a.getEvent().getFile().getPath().endsWith(".aws/credentials")),
            new Attack(
                "spawns a shell: /bin/sh -c id",
                "/debug?cmd=id",
                a -> a.getEvent().getProcess().getExecutable().equals("/bin/sh")));
  }

  void play(SampleService service, PrintStream out) throws IOException, InterruptedException {
    for (Attack attack : attacks) {
      out.println("   ▶ attacker " + attack.description());
      service.get(attack.path());
    }
  }

  /**
   * The alert of each step in order, waiting up to {@code timeout} for each; empty at the first
   * step without one.
   */
  Optional<Alert> alertFor(Attack attack, AnalystBackend backend, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<Alert> hit =
          backend.alerts(AnalystBackend.AlertQuery.all(100)).stream()
              .filter(a -> a.getService().equals(SampleService.NAME))
              .filter(attack.matches())
              .findFirst();
      if (hit.isPresent()) {
        return hit;
      }
      Thread.sleep(200);
    }
    return Optional.empty();
  }

  List<Attack> attacks() {
    return attacks;
  }
}

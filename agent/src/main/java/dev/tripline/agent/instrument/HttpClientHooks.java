package dev.tripline.agent.instrument;

import static dev.tripline.agent.instrument.Hook.Value.arg;

import dev.tripline.agent.record.Observations;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The JDK {@code HttpClient} connects on its own worker threads, whose stacks hold only JDK frames:
 * without help its connections have no call site. Every {@code send} and {@code sendAsync} goes
 * through this private {@code sendAsync}, on the caller's thread: the agent notes which code asked
 * for which authority, and gives that call site to the connection the worker makes for it.
 */
final class HttpClientHooks extends HookGroup {
  HttpClientHooks() {
    super("net");
  }

  // spotless:off — the rows read as a table: one hook per line
  @Override
  public List<Hook> hooks() {
    return List.of(Hook.handoff("handoff.HttpClient.sendAsync", "jdk/internal/net/http/HttpClientImpl", "sendAsync",
        "(Ljava/net/http/HttpRequest;Ljava/net/http/HttpResponse$BodyHandler;"
            + "Ljava/net/http/HttpResponse$PushPromiseHandler;Ljava/util/concurrent/Executor;)",
        0, arg(0)));
  }
  // spotless:on

  @Override
  public void observe(
      int action,
      @Nullable Object a,
      @Nullable Object b,
      int n,
      @Nullable Throwable error,
      Observations to) {
    to.httpRequest(a);
  }
}

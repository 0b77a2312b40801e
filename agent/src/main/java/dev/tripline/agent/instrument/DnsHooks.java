package dev.tripline.agent.instrument;

import static dev.tripline.agent.instrument.Hook.Value.NONE;
import static dev.tripline.agent.instrument.Hook.Value.RETURN;
import static dev.tripline.agent.instrument.Hook.Value.arg;

import dev.tripline.agent.pipeline.Observations;
import java.util.List;

/**
 * Name resolution: {@code InetAddress.getAllByName(String)}, which every lookup the application
 * asks for goes through.
 */
final class DnsHooks extends HookGroup {
  DnsHooks() {
    super("dns");
  }

  // spotless:off — the rows read as a table: one hook per line
  @Override
  public List<Hook> hooks() {
    return List.of(Hook.exit("dns.getAllByName", "java/net/InetAddress", "getAllByName", "(Ljava/lang/String;)",
        0, arg(0), RETURN, NONE));
  }
  // spotless:on

  @Override
  public void observe(int action, Object a, Object b, int n, Throwable error, Observations to) {
    to.dns((String) a, (Object[]) b, error);
  }
}

package dev.tripline.agent.instrument;

import java.util.Iterator;
import java.util.function.Function;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Who called the bridge's public {@code TriplineBridge.report}: any code in the JVM can, so a
 * report that changes what the agent attributes (a request's scope: opening one names a request,
 * closing one hides it) is taken only from the hooked method itself, whose woven code is the only
 * legitimate caller. A bounded walk of the few frames above the agent's own, once per request
 * report (the same kind of check the gate makes before marking an agent thread).
 */
final class BridgeCallers {
  private static final String BRIDGE = "dev.tripline.bootstrap.TriplineBridge";

  /** Frames between the walk and the bridge's caller: the agent's and the gate's few. */
  private static final int MAX_FRAMES = 24;

  private static final StackWalker WALKER = StackWalker.getInstance();

  private BridgeCallers() {}

  /**
   * Null when the code that called {@code TriplineBridge.report} is {@code owner.method} (the
   * hooked method); else that code's {@code class.method}, or "?" when no bridge call is on the
   * stack.
   */
  static @Nullable String foreign(String owner, String method) {
    return WALKER.walk(new Caller(owner, method));
  }

  private static final class Caller implements Function<Stream<StackWalker.StackFrame>, String> {
    private final String owner;
    private final String method;

    Caller(String owner, String method) {
      this.owner = owner;
      this.method = method;
    }

    @Override
    public @Nullable String apply(Stream<StackWalker.StackFrame> frames) {
      Iterator<StackWalker.StackFrame> it = frames.limit(MAX_FRAMES).iterator();
      while (it.hasNext()) {
        StackWalker.StackFrame f = it.next();
        if (BRIDGE.equals(f.getClassName()) && "report".equals(f.getMethodName())) {
          if (!it.hasNext()) {
            return "?";
          }
          StackWalker.StackFrame caller = it.next();
          return owner.equals(caller.getClassName()) && method.equals(caller.getMethodName())
              ? null
              : caller.getClassName() + "." + caller.getMethodName();
        }
      }
      return "?";
    }
  }
}

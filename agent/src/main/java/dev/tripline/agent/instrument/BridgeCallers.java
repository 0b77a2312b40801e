package dev.tripline.agent.instrument;

import java.util.Iterator;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Who called the bridge's public {@code TriplineBridge.report}: named in the tamper finding of a
 * refused request scope (a report without its hook's woven token, {@link Hook#entryToken}). A
 * bounded walk of the few frames above the agent's own, on that rare path only: the request path
 * proves its scopes by token, never by a walk.
 */
final class BridgeCallers {
  private static final String BRIDGE = "dev.tripline.bootstrap.TriplineBridge";

  /** Frames between the walk and the bridge's caller: the agent's and the gate's few. */
  private static final int MAX_FRAMES = 24;

  private static final StackWalker WALKER = StackWalker.getInstance();

  private static final Caller CALLER = new Caller();

  private BridgeCallers() {}

  /** The {@code class.method} that called {@code TriplineBridge.report}; "?" when none did. */
  static String caller() {
    return WALKER.walk(CALLER);
  }

  private static final class Caller implements Function<Stream<StackWalker.StackFrame>, String> {
    @Override
    public String apply(Stream<StackWalker.StackFrame> frames) {
      Iterator<StackWalker.StackFrame> it = frames.limit(MAX_FRAMES).iterator();
      while (it.hasNext()) {
        StackWalker.StackFrame f = it.next();
        if (BRIDGE.equals(f.getClassName()) && "report".equals(f.getMethodName())) {
          if (!it.hasNext()) {
            return "?";
          }
          StackWalker.StackFrame caller = it.next();
          return caller.getClassName() + "." + caller.getMethodName();
        }
      }
      return "?";
    }
  }
}

package dev.tripline.agent.instrument;

import java.util.concurrent.Callable;

/**
 * Woven by {@link ContextCountsTest} under a JNDI provider's name ({@code com.sun.jndi.url.probe}):
 * a counted frame that runs the test's code inside it. References no class of its own (the rename
 * touches the class's name only).
 */
public final class JndiProbe {
  public static Object lookup(Callable<Object> inside) throws Exception {
    return inside.call();
  }
}

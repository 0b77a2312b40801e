package dev.tripline.bootstrap;

import java.util.Iterator;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The first frame whose code is neither the JDK's nor the agent's: application code (any loader but
 * the boot, platform and agent loaders, hidden classes included), or a class someone defined into
 * the bridge's own package of the boot loader (which is open: {@code privateLookupIn} on a bridge
 * class can define one). Null when there is none. Pure computation over a stack: public because the
 * gate in {@code java.base} links to it; it grants nothing to anyone else who runs it.
 */
public final class AgentFrames implements Function<Stream<StackWalker.StackFrame>, Class<?>> {
  /** Classes of this package the agent itself defined in the boot loader, by name. */
  private static final String[] OWN = {
    "dev.tripline.bootstrap.TriplineBridge",
    "dev.tripline.bootstrap.TriplineBridge$Port",
    "dev.tripline.bootstrap.TriplineDispatcher",
    "dev.tripline.bootstrap.EarlyBuffer",
    "dev.tripline.bootstrap.EarlyBuffer$Observation",
    "dev.tripline.bootstrap.EarlyBuffer$FirstFrames",
    "dev.tripline.bootstrap.Counters",
    "dev.tripline.bootstrap.AgentFrames",
  };

  private final ClassLoader agent;

  /** {@code agent}: the agent's own loader (its frames are trusted). */
  public AgentFrames(ClassLoader agent) {
    this.agent = agent;
  }

  @Override
  public Class<?> apply(Stream<StackWalker.StackFrame> frames) {
    ClassLoader platform = ClassLoader.getPlatformClassLoader();
    Iterator<StackWalker.StackFrame> it = frames.iterator();
    while (it.hasNext()) {
      Class<?> c = it.next().getDeclaringClass();
      ClassLoader l = c.getClassLoader();
      if (l == null) {
        if (c.getName().startsWith("dev.tripline.") && !own(c)) {
          return c;
        }
      } else if (l != platform && l != agent && !reflection(l)) {
        return c;
      }
    }
    return null;
  }

  /**
   * The loader of the JDK's own reflection accessors (JDK 17 and older generate one per hot {@code
   * Method}, in a loader of its own: the agent calls the gate by reflection). Told by the loader's
   * class, which only {@code java.base} can define under that name in that module.
   */
  private static boolean reflection(ClassLoader l) {
    Class<?> type = l.getClass();
    return type.getName().equals("jdk.internal.reflect.DelegatingClassLoader")
        && type.getModule() == Object.class.getModule();
  }

  /**
   * One of the agent's boot classes: defined before any application code ran, so a class of that
   * name in the boot loader is the agent's (a second definition of a name is refused).
   */
  private static boolean own(Class<?> c) {
    for (String name : OWN) {
      if (name.equals(c.getName())) {
        return true;
      }
    }
    return false;
  }
}

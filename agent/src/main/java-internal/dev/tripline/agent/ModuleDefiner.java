package dev.tripline.agent;

import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import jdk.internal.access.JavaLangModuleAccess;
import jdk.internal.access.SharedSecrets;

/**
 * The agent module's configuration, given rather than resolved, through the JDK's own module
 * access ({@code jdk.internal.access}, JDK 12+): the descriptor from the non-strict builder the JDK
 * uses for a module-info class (no {@code requires java.base} added), the graph as the JDK gives
 * its archived boot layer's (the module reads nothing, its parent the empty configuration).
 * Resolving against the boot layer instead walks every one of the JDK's modules in cold stream
 * code ("requires transitive" edges) and maps java.base's exports into the new loader: ~9 ms on
 * JDK 25, on the path premain waits for (docs/benchmarks.md). The module reads java.base all the
 * same: the JVM lets every module read it, and {@code AgentModule.open} adds the read for
 * reflection and method handles.
 *
 * <p>Loaded by a throwaway loader only ({@code AgentModule.bareConfiguration}), to whose unnamed
 * module alone {@code jdk.internal.access} is exported; loaded by any other loader its initializer
 * fails. Initialising it hands an instance to that loader (a {@link Consumer}), so it is called
 * through a JDK interface, never by reflection.
 */
@SuppressWarnings("unchecked")
public final class ModuleDefiner
    implements BiFunction<
        Map.Entry<String, Set<String>>, Function<ModuleDescriptor, ModuleFinder>, Configuration> {
  static {
    ((Consumer<Object>) ModuleDefiner.class.getClassLoader()).accept(new ModuleDefiner());
  }

  private ModuleDefiner() {}

  /**
   * The configuration of module {@code module.getKey()} of packages {@code module.getValue()},
   * which requires, exports and opens nothing, found by the finder {@code finder} makes of its
   * descriptor.
   */
  @Override
  public Configuration apply(
      Map.Entry<String, Set<String>> module, Function<ModuleDescriptor, ModuleFinder> finder) {
    JavaLangModuleAccess access = SharedSecrets.getJavaLangModuleAccess();
    ModuleDescriptor descriptor =
        access.newModuleBuilder(module.getKey(), false, Set.of()).packages(module.getValue()).build();
    return access.newConfiguration(
        finder.apply(descriptor), Map.of(descriptor.name(), Set.of()));
  }
}

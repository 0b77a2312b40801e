package org.yaml.snakeyaml.constructor;

import java.io.IOException;

/**
 * Stands in for a library deserializer (SnakeYAML's constructors are a context table entry): the
 * agent does not weave a library's hot deserializer classes, so loading this one flags the
 * deserialization category for the JVM, and a spawn from inside it must still be walked and refused
 * ({@code SpawnCountApp}).
 */
public final class TriplineProbeConstructor {
  private TriplineProbeConstructor() {}

  /** Spawns {@code argv} from a frame of this class (a gadget reached through the library). */
  public static Process construct(String... argv) throws IOException {
    return new ProcessBuilder(argv).start();
  }
}

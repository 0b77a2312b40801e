package dev.tripline.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The agent jar sits on the application's class path: nothing in it may answer to a name the
 * application could also ask for (a class, a resource, a service), whatever the class-loader order.
 */
class AgentJarIT {
  private static final List<String> ALLOWED_OUTSIDE = List.of("LICENSE", "NOTICE", "META-INF/MANIFEST.MF", "META-INF/LICENSE", "META-INF/NOTICE",
      "META-INF/licenses/", "META-INF/services/dev.tripline.");

  @Test
  void everythingItBundlesLivesUnderItsOwnPackage() throws Exception {
    try (JarFile jar = new JarFile(AgentRun.agentJar().toFile())) {
      List<String> exposed = jar.stream().map(e -> e.getName())
          .filter(n -> !n.endsWith("/"))
          .filter(n -> !n.startsWith("dev/tripline/"))
          .filter(n -> ALLOWED_OUTSIDE.stream().noneMatch(n::startsWith))
          .collect(Collectors.toList());
      assertEquals(List.of(), exposed, "entries outside dev/tripline/");
      assertNull(jar.getManifest().getMainAttributes().getValue("Multi-Release"),
          "versioned overlays would bypass relocation");
      assertTrue(jar.stream().anyMatch(e -> e.getName().startsWith("dev/tripline/agent/shaded/org/apache/kafka/")));
    }
  }
}

package dev.tripline.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/**
 * The agent jar sits on the application's class path: nothing in it may answer to a name the
 * application could also ask for (a class, a resource, a service), whatever the class-loader order.
 */
class AgentJarIT {
  /**
   * Besides inst/ (read only by the agent's module): premain, what defines the module, the
   * configuration it validates, the bridge.
   */
  private static final List<String> ALLOWED_OUTSIDE =
      List.of(
          "LICENSE",
          "NOTICE",
          "META-INF/MANIFEST.MF",
          "META-INF/LICENSE",
          "META-INF/NOTICE",
          "META-INF/licenses/",
          "dev/tripline/agent/TriplineAgent.class",
          // the throwaway loader that defines the bridge and the one class it defines (premain
          // reads
          // its bytes; loaded by the application loader it can do nothing: no module is opened to
          // it)
          "dev/tripline/agent/TriplineAgent$Throwaway.class",
          "dev/tripline/agent/TriplineAgent$BootDefiner.class",
          // defines the bridge's gate into java.base (its Definer, like BootDefiner, runs in a
          // throwaway loader: loaded by the application loader, nothing is opened to it)
          "dev/tripline/agent/TriplineAgentGate",
          "dev/tripline/agent/AgentModule",
          "dev/tripline/agent/config/",
          "dev/tripline/bootstrap/");

  @Test
  void everythingItBundlesLivesUnderItsOwnPackage() throws Exception {
    try (JarFile jar = new JarFile(AgentRun.agentJar().toFile())) {
      List<String> exposed =
          jar.stream()
              .map(e -> e.getName())
              .filter(n -> !n.endsWith("/"))
              .filter(n -> !n.startsWith("inst/"))
              .filter(n -> ALLOWED_OUTSIDE.stream().noneMatch(n::startsWith))
              .collect(Collectors.toList());
      assertEquals(List.of(), exposed, "entries an application class loader could find");
      assertNull(
          jar.getManifest().getMainAttributes().getValue("Multi-Release"),
          "versioned overlays would bypass relocation");
      assertTrue(
          jar.stream()
              .anyMatch(
                  e ->
                      e.getName().startsWith("inst/dev/tripline/agent/shaded/org/apache/kafka/")
                          && e.getName().endsWith(".classdata")),
          "the Kafka client is bundled, relocated and hidden");
    }
  }

  /**
   * The bridge's gate, renamed at build time into each package of java.base premain may define it
   * in: stored (premain reads it on the application's start-up path), named after its package and
   * nowhere after the compiled gate.
   */
  @Test
  void theGateIsPackedRenamedForEachPackageItMayGoTo() throws Exception {
    try (JarFile jar = new JarFile(AgentRun.agentJar().toFile())) {
      for (String pkg : List.of("jdk.internal.event", "jdk.internal.vm")) {
        JarEntry entry = jar.getJarEntry("dev/tripline/bootstrap/gate/" + pkg + ".TriplineGate");
        assertNotNull(entry, pkg);
        assertEquals(ZipEntry.STORED, entry.getMethod(), pkg);
        String constants;
        try (InputStream in = jar.getInputStream(entry)) {
          constants = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
        assertTrue(constants.contains(pkg.replace('.', '/') + "/TriplineGate"), pkg);
        assertFalse(constants.contains("dev/tripline/bootstrap/TriplineGate"), pkg);
      }
    }
  }
}

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
          // reads its bytes; loaded by the application loader it can do nothing: jdk.internal.misc
          // is exported to the throwaway loader's module alone, and its initializer fails there)
          "dev/tripline/agent/TriplineAgent$Throwaway.class",
          "dev/tripline/agent/BootDefiner.class",
          // the module's configuration, given (same throwaway pattern, jdk.internal.access)
          "dev/tripline/agent/ModuleDefiner.class",
          // defines the bridge's gate into java.base (its Definer, like BootDefiner, runs in a
          // throwaway loader: loaded by the application loader, nothing is opened to it)
          "dev/tripline/agent/TriplineAgentGate",
          "dev/tripline/agent/AgentModule",
          // reads the module's classes from inst/module-classes (its build-time Writer stays out)
          "dev/tripline/agent/ModuleArchive.class",
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
      // the archive names each class in plain UTF-8 before its bytes
      assertTrue(
          archiveText(jar)
              .contains(
                  "dev/tripline/agent/shaded/org/apache/kafka/clients/producer/Producer.class"),
          "the Kafka client is bundled, relocated and hidden");
    }
  }

  /**
   * The module's classes are packed in one stored entry: the jar the JVM and the application class
   * loader open before premain, reading every entry's record, stays small (docs/benchmarks.md,
   * "Start-up: one entry for the module's classes").
   */
  @Test
  void theModulesClassesArePackedInOneStoredEntry() throws Exception {
    try (JarFile jar = new JarFile(AgentRun.agentJar().toFile())) {
      JarEntry archive = jar.getJarEntry("inst/module-classes");
      assertNotNull(archive);
      assertEquals(ZipEntry.STORED, archive.getMethod(), "read in place, never inflated whole");
      List<String> classes =
          jar.stream()
              .map(e -> e.getName())
              .filter(n -> n.startsWith("inst/") && (n.endsWith(".class") || n.endsWith("data")))
              .collect(Collectors.toList());
      assertEquals(List.of(), classes, "module classes outside the archive");
      assertTrue(jar.size() < 200, "entries in the agent jar: " + jar.size());
      String archived = archiveText(jar);
      for (String name :
          List.of(
              "dev/tripline/agent/AgentStarter.class",
              "dev/tripline/agent/instrument/HookWeaver.class",
              "dev/tripline/agent/shaded/net/bytebuddy/jar/asm/ClassReader.class",
              "dev/tripline/agent/shaded/com/google/protobuf/Message.class")) {
        assertTrue(archived.contains(name), name);
      }
      assertFalse(
          archived.contains("dev/tripline/agent/shaded/net/bytebuddy/agent/builder/AgentBuilder"),
          "ByteBuddy beyond ASM's core is left out");
    }
  }

  /** The whole archive as ISO-8859-1 text to search for the names it holds. */
  private static String archiveText(JarFile jar) throws Exception {
    try (InputStream in = jar.getInputStream(jar.getJarEntry("inst/module-classes"))) {
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
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

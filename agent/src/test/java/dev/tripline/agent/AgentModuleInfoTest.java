package dev.tripline.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.module.InvalidModuleDescriptorException;
import java.lang.module.ModuleDescriptor;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The written {@code module-info} is the descriptor the JDK's builder makes, read back. */
class AgentModuleInfoTest {
  private static final String NAME = "dev.tripline.agent";

  @Test
  void readsBackAsTheBuildersDescriptor() throws Exception {
    Set<String> packages = new LinkedHashSet<>();
    for (int i = 0; i < 300; i++) {
      packages.add("dev.tripline.agent.shaded.p" + i + ".inner");
    }
    packages.add("dev.tripline.agent");
    List<String> requires = new ArrayList<>();
    for (Module m : ModuleLayer.boot().modules()) {
      requires.add(m.getName());
    }

    ModuleDescriptor written = AgentModuleInfo.descriptor(NAME, packages, requires);

    ModuleDescriptor.Builder b = ModuleDescriptor.newModule(NAME).packages(packages);
    for (String r : requires) {
      if (!r.equals("java.base")) {
        b.requires(r);
      }
    }
    ModuleDescriptor built = b.build();
    assertEquals(built.name(), written.name());
    assertEquals(built.packages(), written.packages());
    assertEquals(names(built), names(written));
    assertTrue(written.exports().isEmpty(), "exports nothing");
    assertTrue(written.opens().isEmpty(), "opens nothing");
    assertTrue(!written.isOpen() && !written.isAutomatic(), "a plain named module");
    assertTrue(written.uses().isEmpty() && written.provides().isEmpty());
    for (ModuleDescriptor.Requires r : written.requires()) {
      if (!r.name().equals("java.base")) {
        assertEquals(Set.of(), r.modifiers(), r.name() + ": neither transitive nor static");
      }
    }
  }

  @Test
  void javaBaseIsRequiredEvenWhenNotListed() throws Exception {
    ModuleDescriptor d = AgentModuleInfo.descriptor(NAME, List.of("a.b"), List.of());
    assertEquals(Set.of("java.base"), names(d));
  }

  @Test
  void aPackageNameAClassFileCannotHoldIsRefused() {
    assertThrows(
        InvalidModuleDescriptorException.class,
        () -> AgentModuleInfo.descriptor(NAME, List.of("a;b"), List.of()));
  }

  private static Set<String> names(ModuleDescriptor d) {
    return d.requires().stream().map(ModuleDescriptor.Requires::name).collect(Collectors.toSet());
  }
}

package dev.tripline.agent.callsite;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tripline.model.CodeContext;
import java.lang.reflect.Method;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ContextFramesTest {
  @Test
  void userFramesJoinTheTableBeforeReflectionAndTheOutermostFrameIsKept() throws Exception {
    ContextFrames table =
        new ContextFrames(
            "mine=dev.tripline.agent.callsite.ContextFramesTest#outer, broken, =x, empty=");
    assertEquals(List.of("broken", "=x", "empty="), table.rejected());

    Method outer = ContextFramesTest.class.getDeclaredMethod("outer", ContextFrames.class);
    List<CodeContext> contexts = ((CallSites.Captured) outer.invoke(null, table)).contexts;

    assertEquals(
        List.of("mine", "reflection"),
        contexts.stream().map(CodeContext::getCategory).collect(Collectors.toList()),
        "one entry per category, reflection last");
    assertEquals(
        "dev.tripline.agent.callsite.ContextFramesTest.outer",
        contexts.get(0).getFrame(),
        "outer, not outerInner: the frame closest to the thread's root");
    assertEquals("java.lang.reflect.Method.invoke", contexts.get(1).getFrame());
    assertEquals("java.base", contexts.get(1).getJarName(), "a JDK class is named by its module");
  }

  @Test
  void plainCodeHasNoContext() {
    assertEquals(
        List.of(),
        CallSites.capture(new ContextFrames("")).contexts.stream()
            .filter(c -> !c.getCategory().equals("reflection"))
            .collect(Collectors.toList()),
        "the test runner's reflection aside, nothing here is a context");
  }

  static CallSites.Captured outer(ContextFrames table) {
    return outerInner(table);
  }

  static CallSites.Captured outerInner(ContextFrames table) {
    return CallSites.capture(table);
  }
}

package dev.tripline.collector.kind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.source.tree.CaseTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.LineMap;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.SwitchExpressionTree;
import com.sun.source.tree.SwitchTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.JavacTask;
import com.sun.source.util.SourcePositions;
import com.sun.source.util.TreeScanner;
import com.sun.source.util.Trees;
import dev.tripline.model.AlertReason;
import dev.tripline.model.AlertState;
import dev.tripline.model.AnalystAction;
import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import dev.tripline.model.ProfileState;
import dev.tripline.model.Severity;
import dev.tripline.model.judge.TargetShape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * "One row per new kind" is backed by the compiler only where a switch over a kind names every
 * case: with a {@code default}, a new {@code EventKind}, target case, alert reason or rate feature
 * falls silently into it (Error Prone's {@code MissingCasesInEnumSwitch}, an error in both modules,
 * says nothing then). This scans the main sources of both programs — the collector and the agent —
 * and of the judgement they share (models) with javac's own parser and fails on any {@code default}
 * in a switch over those types.
 *
 * <p>How a switch is recognised without type attribution: every one of its case labels is a
 * constant of one and the same guarded enum (a switch over strings, ints or another enum has a
 * label that is not). A switch over a guarded enum that has nothing but a {@code default} names no
 * case and is not seen — it would have to be written that way on purpose.
 */
class KindSwitchesTest {
  private static final Path COLLECTOR = Path.of("src/main/java");
  private static final Path AGENT = Path.of("../agent/src/main/java");

  /**
   * The judgement both programs share (dev.tripline.model.judge: the Normalizer's shape switch).
   */
  private static final Path MODELS = Path.of("../models/src/main/java");

  /** The kind-like types: their constants grow with each kind, reason or feature added. */
  private static final List<Class<? extends Enum<?>>> GUARDED =
      List.of(
          EventKind.class,
          Event.TargetCase.class,
          AlertReason.class,
          AlertState.class,
          Severity.class,
          ProfileState.class,
          AnalystAction.ActionType.class,
          TargetShape.class,
          KindRow.Family.class,
          RateFeature.class);

  @Test
  void noKindSwitchHasADefaultInEitherProgram() {
    Map<String, Set<String>> constants = constants();
    List<String> defaults = new ArrayList<>();
    int collectorSwitches = scan(COLLECTOR, constants, defaults);
    int agentSwitches = scan(AGENT, constants, defaults);
    int sharedSwitches = scan(MODELS, constants, defaults);
    assertEquals(List.of(), defaults, "a default in a switch over a kind hides a new kind");
    // the scan reads the real sources of both programs and recognises their kind switches
    assertTrue(collectorSwitches >= 8, "collector kind switches found: " + collectorSwitches);
    assertTrue(agentSwitches >= 2, "agent kind switches found: " + agentSwitches);
    assertTrue(sharedSwitches >= 1, "shared (models) kind switches found: " + sharedSwitches);
  }

  @Test
  void aDefaultInAKindSwitchIsFoundAndOtherSwitchesAreNot() throws IOException {
    Path dir = Files.createTempDirectory("kind-switches");
    try {
      Files.writeString(
          dir.resolve("Sample.java"),
          String.join(
              "\n",
              "class Sample {",
              "  int kind(dev.tripline.model.EventKind k) {",
              "    switch (k) { case FILE_READ: return 1; default: return 0; }",
              "  }",
              "  int target(Object e) {",
              "    return switch (e.getTargetCase()) { case NETWORK, DNS -> 1; default -> 0; };",
              "  }",
              "  int word(String s) { switch (s) { case \"a\": return 1; default: return 0; } }",
              "  int own(Thread.State s) {",
              "    switch (s) { case NEW: return 1; default: return 0; }",
              "  }",
              "  int all(dev.tripline.model.Severity s) {",
              "    return switch (s) { case SEVERITY_UNSPECIFIED, INFO, LOW, MEDIUM, HIGH, CRITICAL,",
              "        UNRECOGNIZED -> 1; };",
              "  }",
              "}"),
          StandardCharsets.UTF_8);
      List<String> defaults = new ArrayList<>();
      int found = scan(dir, constants(), defaults);
      assertEquals(List.of("Sample.java:3", "Sample.java:6"), defaults);
      assertEquals(3, found, "two kind switches with a default, one without");
    } finally {
      try (Stream<Path> files = Files.list(dir)) {
        for (Path f : files.collect(Collectors.toList())) Files.delete(f);
      }
      Files.delete(dir);
    }
  }

  /** Each guarded enum's simple name → its constants' names. */
  private static Map<String, Set<String>> constants() {
    Map<String, Set<String>> out = new LinkedHashMap<>();
    for (Class<? extends Enum<?>> type : GUARDED) {
      Set<String> names = new HashSet<>();
      for (Enum<?> c : type.getEnumConstants()) names.add(c.name());
      out.put(type.getSimpleName(), names);
    }
    // the check must know the constants a proto enum gets beyond the declared ones
    assertTrue(out.get("EventKind").contains("UNRECOGNIZED"));
    assertTrue(out.get("TargetCase").contains("TARGET_NOT_SET"));
    return out;
  }

  /**
   * Parses every source under {@code root}; adds "file:line" of each default in a kind switch to
   * {@code defaults}; returns how many kind switches it saw.
   */
  private static int scan(Path root, Map<String, Set<String>> constants, List<String> defaults) {
    List<Path> sources;
    try (Stream<Path> files = Files.walk(root)) {
      sources =
          files.filter(f -> f.toString().endsWith(".java")).sorted().collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertTrue(!sources.isEmpty(), "no sources under " + root.toAbsolutePath());
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    int[] seen = {0};
    try (StandardJavaFileManager files =
        javac.getStandardFileManager(null, null, StandardCharsets.UTF_8)) {
      JavacTask task =
          (JavacTask)
              javac.getTask(
                  null,
                  files,
                  null,
                  List.of("-proc:none"),
                  null,
                  files.getJavaFileObjectsFromPaths(sources));
      SourcePositions positions = Trees.instance(task).getSourcePositions();
      for (CompilationUnitTree unit : task.parse()) {
        String name =
            root.toAbsolutePath()
                .normalize()
                .relativize(Path.of(unit.getSourceFile().toUri()).normalize())
                .toString();
        LineMap lines = unit.getLineMap();
        new TreeScanner<Void, Void>() {
          @Override
          public Void visitSwitch(SwitchTree node, Void unused) {
            check(node, node.getCases());
            return super.visitSwitch(node, unused);
          }

          @Override
          public Void visitSwitchExpression(SwitchExpressionTree node, Void unused) {
            check(node, node.getCases());
            return super.visitSwitchExpression(node, unused);
          }

          private void check(Tree node, List<? extends CaseTree> cases) {
            Set<String> labels = new HashSet<>();
            boolean hasDefault = false;
            for (CaseTree c : cases) {
              // javac 17's API: a default case has no expressions (no patterns in Java 17 code)
              if (c.getExpressions().isEmpty()) hasDefault = true;
              for (ExpressionTree label : c.getExpressions()) labels.add(constantName(label));
            }
            if (labels.isEmpty() || labels.contains("")) return;
            if (constants.values().stream().noneMatch(set -> set.containsAll(labels))) return;
            seen[0]++;
            if (hasDefault) {
              long start = positions.getStartPosition(unit, node);
              defaults.add(name + ":" + lines.getLineNumber(start));
            }
          }
        }.scan(unit, null);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return seen[0];
  }

  /** An enum constant's name as a case label writes it, or "" for any other label. */
  private static String constantName(ExpressionTree label) {
    if (label instanceof IdentifierTree) return ((IdentifierTree) label).getName().toString();
    if (label instanceof MemberSelectTree) {
      return ((MemberSelectTree) label).getIdentifier().toString();
    }
    return "";
  }
}

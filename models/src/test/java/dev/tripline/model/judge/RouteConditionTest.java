package dev.tripline.model.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import dev.tripline.model.ProcessTarget;
import dev.tripline.model.RequestContext;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code route=} condition: a rule that holds only while the behaviour served a request whose
 * route template or canonical path matches — and the path spellings an attacker would use to step
 * around it.
 */
class RouteConditionTest {
  private static final String RULES =
      "# header\n"
          + "debug-spawn | exec | * | HIGH | T1059 | Process spawned while serving a debug route"
          + " | kind=PROCESS_SPAWN route=/debug/**,/actuator/* | block\n";

  /** Parsed as a built-in file would be, so that the rule may carry {@code block}. */
  private static KnownBadRules rules() {
    try {
      return new KnownBadRules(KnownBadRules.parse(new StringReader(RULES), "mine.rules"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Event spawn(RequestContext.Builder request) {
    Event.Builder e =
        Event.newBuilder()
            .setKind(EventKind.PROCESS_SPAWN)
            .setProcess(ProcessTarget.newBuilder().setExecutable("/usr/bin/id").addArgv("id"));
    if (request != null) e.setRequest(request);
    return e.build();
  }

  private static boolean fires(RequestContext.Builder request) {
    return rules().match(spawn(request)).isPresent();
  }

  private static RequestContext.Builder path(String raw) {
    return RequestContext.newBuilder().setMethod("GET").setPath(raw);
  }

  @Test
  void holdsForTheRouteTemplateOrThePathAndNeverOutsideARequest() {
    assertTrue(fires(path("/debug/heap").setRoute("/debug/{what}")));
    assertTrue(fires(path("/debug")), "/debug/** holds for /debug itself");
    assertTrue(fires(path("/actuator/env")));
    assertFalse(fires(path("/actuator/env/x")), "* stays within one segment");
    assertFalse(fires(path("/orders/1").setRoute("/orders/{id}")));
    assertFalse(fires(path("/debugger")), "a segment is matched whole");
    assertFalse(fires(null), "no request: the rule does not hold");
  }

  @Test
  void pathSpellingsThatAServerResolvesToTheRouteStillMatch() {
    for (String evasive :
        new String[] {
          "//debug/x",
          "/./debug/x",
          "/static/../debug/x",
          "/debug;jsessionid=1/x",
          "/..;/debug/x",
          "/%64ebug/x",
          "/debug%2fx",
          "/static/..%2fdebug/x",
          "/debug\\x",
          "/debug/x?y=1",
          "/../../debug/x"
        }) {
      assertTrue(fires(path(evasive)), evasive);
    }
    assertEquals("/debug/x", RoutePatterns.canonical("/a/b/../../debug/./x/"));
  }

  @Test
  void aHugePathIsCappedBeforeItIsResolved() {
    String huge = "/debug/" + "a/".repeat(1_000_000);
    assertTrue(fires(path(huge)), "the first 8 KiB decide");
    assertTrue(RoutePatterns.canonical(huge).length() <= RoutePatterns.MAX_PATH);
  }

  @Test
  void aRuleReadingTheRequestIsJudgedPerCall() {
    Event e = spawn(path("/debug/x"));
    assertEquals(KnownBadRules.StackReads.CALL_SITE, rules().blockingReads(e));
  }

  @Test
  void aUsersRulesFileAsTheCollectorLoadsItRaisesTheRouteRule(@TempDir Path dir)
      throws IOException {
    Path file = dir.resolve("mine.rules");
    Files.writeString(
        file,
        "debug-spawn | exec | * | HIGH | T1059 | Process spawned while serving a debug route"
            + " | kind=PROCESS_SPAWN route=/debug/**\n");
    KnownBadRules rules = KnownBadRules.load(file.toString()); // the collector's rules.file
    Event served = spawn(path("/debug/run").setRoute("/debug/{task}"));
    assertEquals("debug-spawn", rules.match(served).map(KnownBadRules.Rule::id).orElse("none"));
    Event elsewhere = spawn(path("/orders").setRoute("/orders"));
    assertEquals("none", rules.match(elsewhere).map(KnownBadRules.Rule::id).orElse("none"));
  }

  @Test
  void badPatternsAreRefusedWithTheLine() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                KnownBadRules.parse(
                    new StringReader("# h\nx | any | * | HIGH | T1 | t | route=debug/**\n"),
                    "mine.rules",
                    false));
    assertTrue(
        e.getMessage().startsWith("mine.rules:2: a route pattern starts with '/'"), e.getMessage());
  }
}

package dev.tripline.model.judge;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.model.EventKind;
import java.io.StringReader;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Whether a connect on a stack without jndi/jndi-lookup frames can be judged without a stack walk
 * (the agent's JNDI frame count, issue 23): only while every blocking rule that reads the stack for
 * the kind needs one of those categories present.
 */
class BlockingContextsTest {
  private static final Set<String> JNDI = Set.of("jndi", "jndi-lookup");

  @Test
  void theBuiltInConnectRulesNeedAJndiFrame() {
    KnownBadRules rules = KnownBadRules.load("");
    assertTrue(rules.blockingContextsNeedAnyOf(EventKind.NET_CONNECT, JNDI));
    assertFalse(
        rules.blockingContextsNeedAnyOf(EventKind.NET_CONNECT, Set.of("jndi")),
        "jndi-lookup-out fires under jndi-lookup alone");
    assertFalse(
        rules.blockingContextsNeedAnyOf(EventKind.FILE_READ, JNDI),
        "the credential rule reads deserialization, script… frames too");
    assertTrue(
        rules.blockingContextsNeedAnyOf(EventKind.NET_LISTEN, JNDI), "nothing blocks a listen");
  }

  @Test
  void aRuleOnAnotherCategoryAnAbsenceOrTheCallSiteNeedsTheWalk() throws Exception {
    assertFalse(need("x | any | * | HIGH | T1 | t | context=deserialization | block=NET_CONNECT"));
    assertFalse(need("x | any | * | HIGH | T1 | t | context=* | block=NET_CONNECT"));
    assertFalse(need("x | any | * | HIGH | T1 | t | context!=directory | block=NET_CONNECT"));
    assertFalse(need("x | any | * | HIGH | T1 | t | class=com.acme.* | block=NET_CONNECT"));
    assertTrue(
        need("x | any | * | HIGH | T1 | t | context=jndi context!=directory | block=NET_CONNECT"));
    assertTrue(need("x | port | 25 | HIGH | T1 | t | | block=NET_CONNECT"), "no stack read");
  }

  private static boolean need(String line) throws Exception {
    KnownBadRules rules =
        new KnownBadRules(KnownBadRules.parse(new StringReader(line + "\n"), "test.rules", true));
    return rules.blockingContextsNeedAnyOf(EventKind.NET_CONNECT, JNDI);
  }
}

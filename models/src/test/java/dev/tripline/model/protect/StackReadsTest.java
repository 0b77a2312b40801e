package dev.tripline.model.protect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tripline.model.CallSite;
import dev.tripline.model.CodeContext;
import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import dev.tripline.model.ProtectionMode;
import dev.tripline.model.judge.KnownBadRules.StackReads;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * What the judge says it reads of the stack is what its answer really depends on: an agent caches a
 * verdict per target when the judge says {@code NONE}, per context categories when it says {@code
 * CONTEXTS} — so a target judged {@code NONE} must get the same answer under every context frame
 * (the verdict-cache hole: allowed once benignly, then reached under a JNDI lookup), and one judged
 * {@code CONTEXTS} the same answer from every call site.
 */
class StackReadsTest {
  private static final ProtectionJudge JUDGE =
      ProtectionJudges.of(KnownBadRefusalTest.policy(ProtectionMode.BLOCK));

  private static final CodeContext[] CONTEXTS = {
    KnownBadRefusalTest.JNDI,
    KnownBadRefusalTest.JNDI_LOOKUP,
    KnownBadRefusalTest.DIRECTORY,
    KnownBadRefusalTest.DESER,
    KnownBadRefusalTest.EL,
    KnownBadRefusalTest.SCRIPT,
    KnownBadRefusalTest.XXE,
    KnownBadRefusalTest.ctx("reflection", "java.lang.reflect.Method.invoke"),
  };

  private static List<Event> targets() {
    List<Event> out = new ArrayList<>();
    out.add(KnownBadRefusalTest.connect("10.0.0.7", 5432));
    out.add(KnownBadRefusalTest.connect("10.0.0.7", 1389));
    out.add(KnownBadRefusalTest.connect("127.0.0.1", 8080));
    out.add(KnownBadRefusalTest.spawn("/bin/sh"));
    out.add(KnownBadRefusalTest.spawn("/usr/bin/convert"));
    for (EventKind kind :
        List.of(
            EventKind.FILE_READ,
            EventKind.FILE_WRITE,
            EventKind.FILE_DELETE,
            EventKind.FILE_RENAME)) {
      out.add(KnownBadRefusalTest.file(kind, "/srv/data/report.csv"));
      out.add(KnownBadRefusalTest.file(kind, "/home/app/.aws/credentials"));
      out.add(KnownBadRefusalTest.file(kind, "/etc/shadow"));
      out.add(
          KnownBadRefusalTest.file(kind, "/var/run/secrets/kubernetes.io/serviceaccount/token"));
    }
    return out;
  }

  @Test
  void aTargetJudgedFromItselfAloneGetsOneAnswerUnderEveryContext() {
    int none = 0;
    for (Event target : targets()) {
      if (JUDGE.reads(target) != StackReads.NONE) continue;
      none++;
      String plain = rule(JUDGE.judge(target));
      for (int mask = 1; mask < 1 << CONTEXTS.length; mask++) {
        Event under = with(target, mask);
        assertEquals(plain, rule(JUDGE.judge(under)), target + " under " + under.getContextsList());
      }
    }
    // the files outside the credential paths (every kind) and the credential files written,
    // deleted or renamed (no blocking rule reads a frame for those): 4 + 3 * 3
    assertEquals(13, none, "targets judged from themselves alone");
  }

  @Test
  void connectsAndCredentialReadsReadTheContextCategoriesNotTheCallSite() {
    assertEquals(StackReads.CONTEXTS, JUDGE.reads(KnownBadRefusalTest.connect("10.0.0.7", 5432)));
    assertEquals(
        StackReads.CONTEXTS,
        JUDGE.reads(KnownBadRefusalTest.file(EventKind.FILE_READ, "/home/app/.aws/credentials")));
    assertEquals(
        StackReads.NONE,
        JUDGE.reads(KnownBadRefusalTest.file(EventKind.FILE_READ, "/srv/data/report.csv")));
    for (Event target : targets()) {
      if (JUDGE.reads(target) != StackReads.CONTEXTS) continue;
      for (int mask = 0; mask < 1 << CONTEXTS.length; mask += 5) {
        Event under = with(target, mask);
        String answer = rule(JUDGE.judge(under));
        for (String jar : List.of("log4j-core-2.14.1.jar", "app.jar", "netty-all-4.1.jar")) {
          Event elsewhere =
              under.toBuilder()
                  .setCallSite(
                      CallSite.newBuilder().setClassName("com.acme.legacy.X").setJarName(jar))
                  .build();
          assertEquals(answer, rule(JUDGE.judge(elsewhere)), elsewhere.toString());
        }
      }
    }
  }

  private static Event with(Event target, int mask) {
    Event.Builder b = target.toBuilder();
    for (int i = 0; i < CONTEXTS.length; i++) {
      if ((mask & (1 << i)) != 0) b.addContexts(CONTEXTS[i]);
    }
    return b.build();
  }

  private static String rule(ProtectionJudge.Refusal r) {
    return r == null ? "allowed" : Objects.requireNonNull(r.rule);
  }
}

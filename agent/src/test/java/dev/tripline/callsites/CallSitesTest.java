package dev.tripline.callsites;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.agent.callsite.CallSites;
import dev.tripline.agent.callsite.ContextFrames;
import dev.tripline.model.CallSite;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Outside dev.tripline.agent: the agent's own packages are never a call site. */
class CallSitesTest {
  private static final ContextFrames TABLE = new ContextFrames("");
  private final ExecutorService pool = Executors.newFixedThreadPool(1);

  @AfterEach
  void stop() throws InterruptedException {
    pool.shutdownNow();
    pool.awaitTermination(10, TimeUnit.SECONDS);
  }

  /** What both walks see from one place in the code: [short walk, full walk]. */
  private static CallSite[] bothWalks() {
    return new CallSite[] {CallSites.site(), CallSites.capture(TABLE).site};
  }

  @Test
  void anExecutorTaskIsItsOwnCallSiteAndBothWalksAgree() throws Exception {
    CallSite[] walks = pool.submit(() -> bothWalks()).get(10, TimeUnit.SECONDS);
    CallSite full = walks[1];
    assertEquals(CallSitesTest.class.getName(), full.getClassName());
    assertEquals("bothWalks", full.getMethodName());
    assertTrue(
        full.getFrames(0)
            .startsWith(CallSitesTest.class.getName() + ".lambda$anExecutorTaskIsItsOwnCallSite"),
        "the submitted lambda, not the pool, is the caller: " + full.getFramesList());
    assertEquals(
        1, full.getFramesCount(), "nothing of the pool above the task: " + full.getFramesList());
    assertEquals("executor", full.getHandoff());
    assertEquals("target/test-classes", full.getJarName());
    assertEquals(
        walks[0],
        walks[1],
        "a sampled repeat must equal the call site captured for the new behaviour");
    // the thread's label is remembered: a second task's short walk on the same worker still has it
    assertEquals(
        "executor", pool.submit(() -> bothWalks()[0]).get(10, TimeUnit.SECONDS).getHandoff());
  }

  @Test
  void aShortWalkFirstOnAFreshWorkerAgreesToo() throws Exception {
    // site() before any capture() on this thread: the label is found by its own walk to the root
    CallSite shortFirst = pool.submit(() -> CallSites.site()).get(10, TimeUnit.SECONDS);
    assertEquals("executor", shortFirst.getHandoff());
  }

  @Test
  void completableFutureAsyncRunsOnForkJoinWorkers() throws Exception {
    ForkJoinPool fj = new ForkJoinPool(1);
    try {
      CallSite[] walks =
          CompletableFuture.supplyAsync(CallSitesTest::bothWalks, fj).get(10, TimeUnit.SECONDS);
      assertEquals("fork-join", walks[1].getHandoff());
      assertEquals("bothWalks", walks[1].getMethodName());
      assertEquals(walks[0], walks[1]);
    } finally {
      fj.shutdownNow();
    }
  }

  @Test
  void aThreadTheCodeRunsOnItselfHasNoLabel() throws Exception {
    CallSite[] walks = bothWalks();
    assertEquals("", walks[1].getHandoff());
    assertEquals(walks[0], walks[1]);
    CallSite[] onThread = new CallSite[2];
    Thread t = new Thread(() -> System.arraycopy(bothWalks(), 0, onThread, 0, 2));
    t.start();
    t.join(10_000);
    assertEquals("", onThread[1].getHandoff(), "a plain thread is not a pool: nothing handed over");
    assertEquals(onThread[0], onThread[1]);
  }

  @Test
  void framesWalkedOnAWorkerAndReplayedElsewhereGiveTheSameCallSite() throws Exception {
    StackWalker walker =
        StackWalker.getInstance(
            EnumSet.of(
                StackWalker.Option.RETAIN_CLASS_REFERENCE, StackWalker.Option.SHOW_REFLECT_FRAMES));
    Object[] seen =
        pool.submit(
                () ->
                    new Object[] {
                      walker.walk(s -> s.collect(Collectors.toList())),
                      CallSites.capture(TABLE).site
                    })
            .get(10, TimeUnit.SECONDS);
    @SuppressWarnings("unchecked")
    List<StackWalker.StackFrame> frames = (List<StackWalker.StackFrame>) seen[0];
    CallSite replayed = CallSites.capture(frames, TABLE).site; // on the test thread, not the worker
    CallSite live = (CallSite) seen[1];
    assertEquals("executor", replayed.getHandoff());
    assertEquals(live.getClassName(), replayed.getClassName());
    assertEquals(live.getMethodName(), replayed.getMethodName());
    assertEquals(live.getJarName(), replayed.getJarName());
  }

  @Test
  void anAllJdkStackHasAnEmptyCallSiteAndNoLabel() {
    StackWalker walker =
        StackWalker.getInstance(EnumSet.of(StackWalker.Option.RETAIN_CLASS_REFERENCE));
    List<StackWalker.StackFrame> jdkOnly =
        walker.walk(
            s ->
                s.filter(f -> f.getDeclaringClass().getClassLoader() == null)
                    .collect(Collectors.toList()));
    assertEquals(CallSite.getDefaultInstance(), CallSites.capture(jdkOnly, TABLE).site);
  }
}

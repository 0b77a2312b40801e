package dev.tripline.agent.instrument;

import static dev.tripline.agent.instrument.Hook.Value.THIS;
import static dev.tripline.agent.instrument.Hook.Value.arg;

import dev.tripline.agent.record.Observations;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Where the JDK hands a task to another thread, and where that thread runs it: so a behaviour
 * performed on a pool, fork-join or new thread on behalf of a request carries that request
 * (docs/detection.md "Request context"). The hand-off reports the task at entry (the recorder
 * remembers it only while a request is served); the run side is a scope around the task (fork-join,
 * a thread's {@code run}) or, for {@code ThreadPoolExecutor}, its {@code beforeExecute} / {@code
 * afterExecute} pair, each start replacing the last task's request.
 *
 * <ul>
 *   <li>{@code ThreadPoolExecutor.execute} ({@code submit}, {@code invokeAll} and Spring's task
 *       executors on it pass there), and {@code ScheduledThreadPoolExecutor}'s one funnel, {@code
 *       delayedExecute} ({@code schedule*}, and its own {@code execute}/{@code submit}): both pools
 *       run the task through {@code beforeExecute}. A periodic task carries the request for its
 *       first run only (a refresher a request happened to start is not that request's work).
 *   <li>{@code ForkJoinPool}'s one funnel of external submissions ({@code externalSubmit} up to 24,
 *       {@code poolSubmit} from 25): {@code execute}, {@code submit}, {@code invoke}, {@code
 *       CompletableFuture.*Async} on the common pool; a task run by {@code ForkJoinTask.doExec}.
 *   <li>{@code CompletableFuture}'s thread per task (its default executor when the common pool has
 *       one thread, up to 24); its tasks' {@code run}, wherever they run.
 *   <li>A virtual thread's start, run by {@code VirtualThread.run(Runnable)}. A platform thread's
 *       {@code start} is not: a thread a request starts may become a pool's worker for later
 *       requests, and would carry the first.
 * </ul>
 */
final class TaskHandoffHooks extends HookGroup {
  private static final int HANDED_OVER = 0;
  private static final int RUNS = 1;
  private static final int EXECUTOR_TASK = 2;
  private static final int EXECUTOR_DONE = 3;

  TaskHandoffHooks() {
    super("net");
  }

  // spotless:off — the rows read as a table: one hook per line
  @Override
  public List<Hook> hooks() {
    return List.of(
        Hook.handoff("handoff.executor-submit", "java/util/concurrent/ThreadPoolExecutor", "execute",
            "(Ljava/lang/Runnable;)", HANDED_OVER, arg(0)),
        Hook.handoff("handoff.executor-before", "java/util/concurrent/ThreadPoolExecutor", "beforeExecute",
            "(Ljava/lang/Thread;Ljava/lang/Runnable;)", EXECUTOR_TASK, arg(1)),
        Hook.handoff("handoff.executor-after", "java/util/concurrent/ThreadPoolExecutor", "afterExecute",
            "(Ljava/lang/Runnable;Ljava/lang/Throwable;)", EXECUTOR_DONE, arg(0)),
        Hook.handoff("handoff.scheduled-submit", "java/util/concurrent/ScheduledThreadPoolExecutor",
            "delayedExecute", "(Ljava/util/concurrent/RunnableScheduledFuture;)", HANDED_OVER, arg(0))
            .onDemand(),
        // up to 24 / from 25: one name, one shape per JDK
        Hook.handoff("handoff.fork-join-submit", "java/util/concurrent/ForkJoinPool", "externalSubmit",
            "(Ljava/util/concurrent/ForkJoinTask;)", HANDED_OVER, arg(0)),
        Hook.handoff("handoff.fork-join-submit", "java/util/concurrent/ForkJoinPool", "poolSubmit",
            "(ZLjava/util/concurrent/ForkJoinTask;)", HANDED_OVER, arg(1)),
        Hook.scope("handoff.fork-join-run", "java/util/concurrent/ForkJoinTask", "doExec", "()",
            RUNS, THIS),
        // CompletableFuture's own executor when the common pool has one thread (JDK 17 on 2 cores):
        // a new thread per task
        Hook.handoff("handoff.async-thread", "java/util/concurrent/CompletableFuture$ThreadPerTaskExecutor",
            "execute", "(Ljava/lang/Runnable;)", HANDED_OVER, arg(0)).onDemand(),
        Hook.scope("handoff.async-run", "java/util/concurrent/CompletableFuture$AsyncRun", "run", "()",
            RUNS, THIS).onDemand(),
        Hook.scope("handoff.async-run", "java/util/concurrent/CompletableFuture$AsyncSupply", "run", "()",
            RUNS, THIS).onDemand(),
        Hook.handoff("handoff.virtual-start", "java/lang/VirtualThread", "start",
            "(Ljdk/internal/vm/ThreadContainer;)", HANDED_OVER, THIS).onDemand(),
        Hook.scope("handoff.virtual-run", "java/lang/VirtualThread", "run", "(Ljava/lang/Runnable;)",
            RUNS, THIS).onDemand());
  }
  // spotless:on

  @Override
  public Context context() {
    return Context.TASK;
  }

  @Override
  public void observe(
      int action,
      @Nullable Object a,
      @Nullable Object b,
      int n,
      @Nullable Throwable error,
      Observations to) {
    if (action == HANDED_OVER) {
      to.taskHandedOver(a);
    } else if (action == RUNS) {
      to.taskRuns(a, Boolean.TRUE.equals(b));
    } else if (action == EXECUTOR_TASK) {
      to.executorTask(a, true);
    } else {
      to.executorTask(a, false);
    }
  }
}

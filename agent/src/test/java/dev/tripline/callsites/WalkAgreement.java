package dev.tripline.callsites;

import dev.tripline.agent.callsite.CallSites;
import dev.tripline.agent.callsite.ContextFrames;
import dev.tripline.model.CallSite;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

/**
 * Run on each JDK by {@link CallSitesAcrossJdksTest}: on every kind of worker thread, the short
 * walk of a sampled repeat and the full walk of a new behaviour give the same CallSite. Prints one
 * line per case: "name handoff agree|DIFFER".
 */
public final class WalkAgreement {
  private static final ContextFrames TABLE = new ContextFrames("");

  public static void main(String[] args) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(1);
    report("executor", pool.submit(WalkAgreement::bothWalks).get(10, TimeUnit.SECONDS));
    pool.shutdown();
    ForkJoinPool fj = new ForkJoinPool(1);
    report(
        "fork-join",
        CompletableFuture.supplyAsync(WalkAgreement::bothWalks, fj).get(10, TimeUnit.SECONDS));
    fj.shutdown();
    report("main", bothWalks());
    FutureTask<CallSite[]> onVirtual =
        new FutureTask<>((Callable<CallSite[]>) WalkAgreement::bothWalks);
    try {
      Thread t =
          (Thread)
              Thread.class.getMethod("startVirtualThread", Runnable.class).invoke(null, onVirtual);
      t.join(10_000);
      report("virtual", onVirtual.get(10, TimeUnit.SECONDS));
    } catch (NoSuchMethodException e) {
      System.out.println("virtual none");
    }
  }

  private static CallSite[] bothWalks() {
    return new CallSite[] {CallSites.site(), CallSites.capture(TABLE).site};
  }

  private static void report(String name, CallSite[] walks) {
    boolean agree = walks[0].equals(walks[1]) && !walks[1].getClassName().isEmpty();
    System.out.println(
        name
            + " "
            + (walks[1].getHandoff().isEmpty() ? "-" : walks[1].getHandoff())
            + " "
            + (agree ? "agree" : "DIFFER\n" + walks[0] + "\nvs\n" + walks[1]));
  }
}

package dev.tripline.agent.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.agent.callsite.CallSites;
import dev.tripline.agent.callsite.ContextFrames;
import dev.tripline.agent.config.AgentConfig;
import dev.tripline.agent.health.AgentStats;
import dev.tripline.bootstrap.EarlyBuffer;
import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recorder alone, in this JVM: what the hooks would report is fed to its {@link Observations}
 * directly, the pipeline's side is read from its queue and its flush, and its clock is the test's.
 */
class EventRecorderTest {
  private static final long T0 = 1_700_000_000_000L;

  private final AtomicLong now = new AtomicLong(T0);
  private final AgentStats stats = new AgentStats();

  private EventRecorder recorder(String... kv) {
    Properties p = new Properties();
    p.setProperty("tripline.service.name", "recorder-test");
    p.setProperty("tripline.sink", "none");
    for (int i = 0; i + 1 < kv.length; i += 2) {
      p.setProperty("tripline." + kv[i], kv[i + 1]);
    }
    return new EventRecorder(AgentConfig.load(p, Map.of()), stats, now::get);
  }

  /** The new events handed to the pipeline thread, taken off the queue. */
  private static List<Event> firsts(EventRecorder r) {
    List<Occurrence> taken = new ArrayList<>();
    r.fresh().drainTo(taken);
    List<Event> out = new ArrayList<>();
    for (Occurrence o : taken) out.add(o.template());
    return out;
  }

  /** What the next flush would send: folded repeats (and firsts the queue had no room for). */
  private static List<Event> flush(EventRecorder r) {
    List<Event> out = new ArrayList<>();
    for (Occurrence o : r.occurrences()) {
      Event e = o.drain();
      if (e != null) out.add(e);
    }
    return out;
  }

  private static long total(List<Event> events) {
    long n = 0;
    for (Event e : events) n += e.getCount();
    return n;
  }

  @Test
  void repeatsFoldIntoOneEventAndTheirCount() throws Exception {
    EventRecorder r = recorder();
    InetAddress peer = InetAddress.getByAddress("db.internal", new byte[] {10, 0, 0, 9});
    for (int i = 0; i < 5; i++) {
      r.observations().connect(peer, 5432, null);
      r.observations().dns("db.internal", new Object[] {peer}, null);
    }
    List<Event> firsts = firsts(r);
    assertEquals(2, firsts.size(), firsts::toString);
    Event connect = firsts.get(0);
    assertEquals(EventKind.NET_CONNECT, connect.getKind());
    assertEquals("db.internal", connect.getNetwork().getHost());
    assertEquals("10.0.0.9", connect.getNetwork().getIp());
    assertEquals(5432, connect.getNetwork().getPort());
    assertTrue(connect.getFirstOccurrence());
    assertEquals(EventKind.DNS_LOOKUP, firsts.get(1).getKind());
    assertEquals(List.of("10.0.0.9"), firsts.get(1).getDns().getResolvedIpsList());
    List<Event> repeats = flush(r);
    assertEquals(2, repeats.size(), repeats::toString);
    for (Event e : repeats) {
      assertEquals(4, e.getCount(), e::toString);
      assertFalse(e.getFirstOccurrence());
    }
    assertTrue(flush(r).isEmpty(), "a flush takes the counts: the next one has nothing");
    r.observations().connect(peer, 5433, null);
    assertEquals(1, firsts(r).size(), "another port of a known peer is new");
  }

  @Test
  void aFailedAttemptIsNotARepeatOfASuccessfulOne() throws Exception {
    EventRecorder r = recorder();
    InetAddress peer = InetAddress.getByAddress(new byte[] {10, 0, 0, 7});
    r.observations().connect(peer, 80, null);
    r.observations().connect(peer, 80, new java.net.ConnectException("refused"));
    List<Event> firsts = firsts(r);
    assertEquals(2, firsts.size());
    assertTrue(firsts.get(0).getSuccess());
    assertFalse(firsts.get(1).getSuccess());
    assertEquals("java.net.ConnectException", firsts.get(1).getError());
  }

  @Test
  void newEventsReadTheClockRepeatsTheTickOfThePipelineThread() {
    EventRecorder r = recorder();
    r.observations().dns("api.example.com", null, null);
    assertEquals(T0, firsts(r).get(0).getFirstSeenMs());
    now.set(T0 + 60_000);
    r.observations().dns("api.example.com", null, null); // no tick yet: the time of the last one
    now.set(T0 + 90_000);
    r.tick();
    now.set(T0 + 95_000);
    r.observations().dns("api.example.com", null, null);
    Event folded = flush(r).get(0);
    assertEquals(2, folded.getCount());
    assertEquals(T0, folded.getFirstSeenMs(), "the first repeat came before any tick");
    assertEquals(T0 + 90_000, folded.getLastSeenMs(), "repeats read the tick, not the clock");
    r.observations().dns("other.example.com", null, null);
    assertEquals(T0 + 95_000, firsts(r).get(0).getFirstSeenMs(), "something new reads the clock");
  }

  @Test
  void evictionLosesNothingSilently() {
    EventRecorder r = recorder("cache.size", "8", "queue.capacity", "100000");
    long observed = 0;
    long firsts = 0;
    long repeats = 0;
    for (int round = 0; round < 2; round++) {
      for (int host = 0; host < 100; host++) {
        for (int i = 0; i < 3; i++) {
          r.observations().dns("h" + host + ".example.com", null, null);
          observed++;
        }
      }
      r.cleanUp();
      firsts += firsts(r).size();
      repeats += total(flush(r)); // a flush now and then, as the pipeline does
    }
    r.cleanUp();
    repeats += total(flush(r));
    long dropped = stats.droppedCount(AgentStats.CACHE_FULL);
    assertTrue(dropped > 0, "a cache of 8 for 100 hosts evicts counted repeats");
    assertTrue(firsts > 100, "an evicted host seen again is new again: " + firsts);
    assertEquals(
        observed,
        firsts + repeats + dropped,
        "every observation is a first event, a folded repeat or a counted drop");
  }

  @Test
  void filesOfOneShapeInOneDirectoryFoldIntoTheFirstUnlessTheyLeadElsewhere(@TempDir Path dir)
      throws Exception {
    EventRecorder r = recorder();
    Path outside = Files.createDirectories(dir.resolve("elsewhere")).resolve("secret");
    Files.writeString(outside, "x");
    Path parts = Files.createDirectories(dir.resolve("out"));
    for (int i = 1; i <= 10; i++) {
      Path part = parts.resolve(String.format("part-%05d", i));
      Files.writeString(part, "x");
      r.observations().file(EventKind.FILE_WRITE, part.toString(), null);
    }
    Path planted = parts.resolve("part-00011");
    Files.createSymbolicLink(planted, outside);
    r.observations().file(EventKind.FILE_WRITE, planted.toString(), null);
    r.observations().file(EventKind.FILE_WRITE, parts.resolve("summary").toString(), null);
    List<Event> firsts = firsts(r);
    List<String> paths = new ArrayList<>();
    for (Event e : firsts) paths.add(e.getFile().getPath());
    assertEquals(
        List.of(
            parts.resolve("part-00001").toString(),
            planted.toString(),
            parts.resolve("summary").toString()),
        paths);
    assertEquals(outside.toRealPath().toString(), firsts.get(1).getFile().getRealPath());
    List<Event> repeats = flush(r);
    assertEquals(1, repeats.size(), repeats::toString);
    assertEquals(parts.resolve("part-00001").toString(), repeats.get(0).getFile().getPath());
    assertEquals(9, repeats.get(0).getCount(), "part-00002 … part-00010 counted as its repeats");
  }

  @Test
  void aDirectoryListedIsNotTheFileOfThatNameRead(@TempDir Path dir) {
    EventRecorder r = recorder();
    r.observations().listing(dir.toString(), null);
    r.observations().file(EventKind.FILE_READ, dir.toString(), null);
    List<Event> firsts = firsts(r);
    assertEquals(2, firsts.size());
    assertTrue(firsts.get(0).getFile().getDirectory());
    assertFalse(firsts.get(1).getFile().getDirectory());
  }

  @Test
  void replayKeepsTheThreadTimeAndStackOfWhatTheEarlyBufferSaw() throws Exception {
    EarlyBuffer early = new EarlyBuffer();
    Thread main =
        new Thread(
            () -> {
              early.observe(0, "early.example.com", null, 0, null);
              early.observe(0, "early.example.com", null, 0, null); // folded by the buffer
              early.observe(1, "broken", null, 0, null);
            },
            "app-main");
    main.start();
    main.join();
    List<EarlyBuffer.Observation> seen = early.drain(0);
    assertEquals(2, seen.size());
    now.set(T0 + 5_000); // the recorder starts later than the observations were made
    EventRecorder r = recorder();
    List<Integer> dispatched = new ArrayList<>();
    r.replay(
        seen,
        o -> {
          if (o.hook == 1) throw new IllegalStateException("a group that fails");
          for (int i = o.repeats(); i >= 0; i--) {
            dispatched.add(o.hook);
            r.observations().dns((String) o.a, null, null);
          }
        });
    assertEquals(List.of(0, 0), dispatched);
    assertEquals(1, stats.errorCount(), "the failing one is counted; the others are replayed");
    Event first = firsts(r).get(0);
    assertEquals("app-main", first.getThreadName());
    assertEquals(seen.get(0).timeMs, first.getFirstSeenMs());
    assertNotEquals(T0 + 5_000, first.getFirstSeenMs());
    // The early stack (a thread of the test's own, agent-package code only) has no call site; the
    // same lookup recorded live is called from JUnit.
    assertEquals("", first.getCallSite().getClassName(), first.getCallSite()::toString);
    List<Event> repeats = flush(r);
    assertEquals(1, total(repeats), "the folded repeat is replayed as a repeat");
    assertEquals(
        seen.get(0).timeMs,
        repeats.get(0).getLastSeenMs(),
        "at the time it was seen, not when the recorder was built");
    assertNull(r.replaying(), "replay over: recording is live again");
    r.observations().dns("live.example.com", null, null);
    Event live = firsts(r).get(0);
    assertEquals(Thread.currentThread().getName(), live.getThreadName());
    assertEquals(T0 + 5_000, live.getFirstSeenMs());
    assertTrue(live.getCallSite().getClassName().startsWith("org.junit"), live::toString);
  }

  @Test
  void theCanaryArrivesWithoutBecomingAnEvent() {
    EventRecorder r = recorder();
    String path = r.canary().path();
    r.observations().file(EventKind.FILE_READ, path, new java.io.FileNotFoundException(path));
    assertTrue(firsts(r).isEmpty());
    assertTrue(flush(r).isEmpty());
  }

  @Test
  void aFirstSightIsNamedLaterOnThePipelineThreadAsItWouldHaveBeenAtOnce() throws Exception {
    EventRecorder r = recorder();
    InetAddress peer = InetAddress.getByAddress(new byte[] {10, 0, 0, 1});
    r.observations().connect(peer, 443, null);
    // the same stack above this method, captured and named at once as every first sight once was
    CallSites.Captured atOnce = CallSites.capture(new ContextFrames(""));
    List<Occurrence> taken = new ArrayList<>();
    r.fresh().drainTo(taken);
    Occurrence o = taken.get(0);
    assertTrue(o.drafted(), "the application thread left the naming to the pipeline thread");
    assertTrue(r.draftFrames() > 0, "the draft holds the stack's frames");
    assertEquals(443, o.target().getNetwork().getPort(), "the target is known before the naming");
    now.set(T0 + 1_000);
    Event[] named = new Event[1];
    Thread pipeline = new Thread(() -> named[0] = o.template(), "tripline-pipeline");
    pipeline.start();
    pipeline.join();
    Event e = named[0];
    assertFalse(o.drafted());
    assertEquals(0, r.draftFrames(), "named: the frames are let go");
    assertEquals(Thread.currentThread().getName(), e.getThreadName(), "the application's thread");
    assertEquals(T0, e.getFirstSeenMs(), "the time of the connect, not of the naming");
    assertFalse(e.getCallSite().getClassName().isEmpty(), e::toString);
    assertEquals(atOnce.site, e.getCallSite());
    assertEquals(atOnce.contexts, e.getContextsList());
    assertTrue(
        e.getContextsList().stream().anyMatch(c -> c.getCategory().equals("reflection")),
        "JUnit calls this test by reflection: a context frame found from the kept frames");
    assertSame(e, o.template(), "named once");
  }

  @Test
  void aFullHandOffQueueNamesTheFirstAtOnceAndCountsItDeferred() throws Exception {
    EventRecorder r = recorder("queue.capacity", "2");
    InetAddress peer = InetAddress.getByAddress(new byte[] {10, 0, 0, 2});
    for (int port = 1; port <= 5; port++) {
      r.observations().connect(peer, port, null);
    }
    List<Occurrence> queued = new ArrayList<>();
    r.fresh().drainTo(queued);
    assertEquals(2, queued.size(), "the queue's bound");
    for (Occurrence o : queued) {
      assertTrue(o.drafted());
    }
    assertEquals(3, stats.deferredCount(), "the three without room are counted");
    List<Event> later = flush(r);
    List<Integer> ports = new ArrayList<>();
    for (Event e : later) {
      assertTrue(e.getFirstOccurrence(), e::toString);
      assertEquals(1, e.getCount());
      assertFalse(e.getCallSite().getClassName().isEmpty(), "named on the application thread");
      ports.add(e.getNetwork().getPort());
    }
    ports.sort(null);
    assertEquals(List.of(3, 4, 5), ports, "they go out with the next flush, nothing lost");
    for (Occurrence o : queued) {
      o.template();
    }
    assertEquals(0, r.draftFrames());
  }

  @Test
  void draftsWaitingForThePipelineHoldABoundedNumberOfFrames() throws Exception {
    EventRecorder r = recorder("queue.capacity", "100000");
    InetAddress peer = InetAddress.getByAddress(new byte[] {10, 0, 0, 3});
    int ports = 3_000; // a JUnit stack is tens of frames: far more than the bound in all
    for (int port = 1; port <= ports; port++) {
      r.observations().connect(peer, port, null);
      assertTrue(r.draftFrames() <= FirstSights.MAX_DRAFT_FRAMES, "at most the bound, always");
    }
    List<Occurrence> queued = new ArrayList<>();
    r.fresh().drainTo(queued);
    assertEquals(ports, queued.size(), "every first is handed over");
    long drafted = queued.stream().filter(Occurrence::drafted).count();
    assertTrue(drafted > 0 && drafted < ports, "past the bound, named at once: " + drafted);
    for (Occurrence o : queued) {
      assertFalse(o.template().getCallSite().getClassName().isEmpty());
    }
    assertEquals(0, r.draftFrames());
  }

  @Test
  void theCachesUpkeepRunsOnThePipelinesTickNotOnTheWritingThread() {
    EventRecorder r = recorder("cache.size", "4", "queue.capacity", "1000");
    for (int host = 0; host < 50; host++) {
      r.observations().dns("h" + host + ".example.com", null, null);
    }
    long beforeTick = r.targets(EventKind.DNS_LOOKUP, null).estimatedSize();
    assertTrue(beforeTick > 4, "no eviction on the application thread: " + beforeTick);
    r.tick();
    assertEquals(4, r.targets(EventKind.DNS_LOOKUP, null).estimatedSize(), "evicted on the tick");
    assertEquals(50, firsts(r).size(), "each was new and handed over");
  }

  @Test
  void aNewPeerIsDescribedOnThePipelineThreadAsItWouldHaveBeenAtOnce() throws Exception {
    // no host excluded: the application thread reads the address as given and leaves the rest
    EventRecorder later = recorder();
    // a host excluded (another one): every peer is described at once, to be judged
    EventRecorder atOnce = recorder("exclude.hosts", "metrics.internal");
    InetAddress named = InetAddress.getByAddress("db.internal", new byte[] {10, 0, 1, 9});
    InetAddress slashed = InetAddress.getByAddress("a/b", new byte[] {10, 0, 1, 10});
    InetAddress bare = InetAddress.getByAddress(new byte[] {10, 0, 1, 11});
    InetAddress v6 = InetAddress.getByAddress("v6.internal", new byte[16]);
    for (EventRecorder r : List.of(later, atOnce)) {
      for (InetAddress a : List.of(named, slashed, bare, v6)) {
        r.observations().connect(a, 5432, null);
      }
    }
    List<Event> deferred = new ArrayList<>();
    List<Event> described = new ArrayList<>();
    for (Event e : firsts(later)) deferred.add(e.toBuilder().clearCallSite().build());
    for (Event e : firsts(atOnce)) described.add(e.toBuilder().clearCallSite().build());
    assertEquals(4, deferred.size());
    assertEquals(described, deferred, "the same events, whichever thread described them");
    assertEquals("db.internal", deferred.get(0).getNetwork().getHost());
    assertEquals("a/b", deferred.get(1).getNetwork().getHost(), "a name given with its bytes");
    assertEquals("10.0.1.10", deferred.get(1).getNetwork().getIp());
    assertEquals("", deferred.get(2).getNetwork().getHost(), "no name given: none reported");
    assertEquals("10.0.1.11", deferred.get(2).getNetwork().getIp());
    assertEquals("0:0:0:0:0:0:0:0", deferred.get(3).getNetwork().getIp());
    // a repeat from another InetAddress object of the same IP and port compares host names
    later
        .observations()
        .connect(InetAddress.getByAddress("db.internal", named.getAddress()), 5432, null);
    later
        .observations()
        .connect(InetAddress.getByAddress("cdn.internal", named.getAddress()), 5432, null);
    List<Event> more = firsts(later);
    assertEquals(1, more.size(), "the same name is a repeat, another name is new");
    assertEquals("cdn.internal", more.get(0).getNetwork().getHost());
    EventRecorder excluding = recorder("exclude.hosts", "db.internal");
    excluding.observations().connect(named, 5432, null);
    assertTrue(firsts(excluding).isEmpty(), "an excluded host is still never reported");
  }

  @Test
  void peersStayBoundedAndTheirEvictionLosesNothingSilently() throws Exception {
    EventRecorder r = recorder("cache.size", "8", "queue.capacity", "100000");
    long observed = 0;
    long firsts = 0;
    long repeats = 0;
    for (int round = 0; round < 2; round++) {
      for (int host = 0; host < 100; host++) {
        InetAddress a = InetAddress.getByAddress(new byte[] {10, 2, 0, (byte) host});
        for (int i = 0; i < 3; i++) {
          r.observations().connect(a, 443, null);
          observed++;
          assertTrue(
              r.peerCount(EventKind.NET_CONNECT) <= 16,
              "at most twice the bound before the tick trims it");
        }
      }
      r.tick();
      assertTrue(r.peerCount(EventKind.NET_CONNECT) <= 8, "the tick trims to the bound");
      firsts += firsts(r).size();
      repeats += total(flush(r));
    }
    r.cleanUp();
    repeats += total(flush(r));
    long dropped = stats.droppedCount(AgentStats.CACHE_FULL);
    assertTrue(dropped > 0, "a bound of 8 for 100 peers evicts counted repeats");
    assertTrue(firsts > 100, "an evicted peer seen again is new again: " + firsts);
    assertEquals(
        observed,
        firsts + repeats + dropped,
        "every observation is a first event, a folded repeat or a counted drop");
  }

  @Test
  void thePeersSeenLongestAgoAreEvictedFirst() throws Exception {
    EventRecorder r = recorder("cache.size", "8", "queue.capacity", "1000");
    InetAddress[] peers = new InetAddress[12];
    for (int i = 0; i < peers.length; i++) {
      peers[i] = InetAddress.getByAddress(new byte[] {10, 3, 0, (byte) i});
    }
    for (int i = 0; i < 8; i++) {
      r.observations().connect(peers[i], 80, null); // first seen at T0
    }
    now.set(T0 + 1_000);
    r.tick();
    r.observations().connect(peers[0], 80, null); // seen again at T0 + 1 s
    now.set(T0 + 2_000);
    for (int i = 8; i < 12; i++) {
      r.observations().connect(peers[i], 80, null); // new at T0 + 2 s
    }
    r.tick();
    assertEquals(7, r.peerCount(EventKind.NET_CONNECT), "trimmed to seven eighths of the bound");
    firsts(r);
    r.observations().connect(peers[0], 80, null);
    for (int i = 8; i < 12; i++) {
      r.observations().connect(peers[i], 80, null);
    }
    assertTrue(firsts(r).isEmpty(), "the peers seen last are kept: repeats");
    int newAgain = 0;
    for (int i = 1; i < 8; i++) {
      r.observations().connect(peers[i], 80, null);
      newAgain += firsts(r).size();
    }
    assertTrue(newAgain >= 5, "five of those seen only at T0 were evicted: " + newAgain);
  }
}

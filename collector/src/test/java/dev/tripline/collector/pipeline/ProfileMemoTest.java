package dev.tripline.collector.pipeline;

import static dev.tripline.collector.pipeline.PipelineFixtures.connect;
import static dev.tripline.collector.pipeline.PipelineFixtures.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.tripline.collector.profile.Profiles;
import dev.tripline.model.AnalystAction;
import dev.tripline.model.Event;
import dev.tripline.model.EventBatch;
import dev.tripline.model.ProfileEntry;
import dev.tripline.model.ProfileState;
import dev.tripline.model.ServiceProfile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The parsed profiles a task keeps between batches ({@link ProfileMemo}) are never the truth: the
 * store is. A value the store got elsewhere (a restore) wins, a batch that failed half-way leaves
 * nothing behind, and the memo's heap is bounded.
 */
class ProfileMemoTest {
  private static final Event DB = connect("db.internal", 5432);

  private static Event times(Event e, int count) {
    return e.toBuilder().setCount(count).build();
  }

  private static KeyValueStore<String, byte[]> store(TopologyFixture f) {
    return f.driver.getKeyValueStore(Names.PROFILES_STORE);
  }

  private static ServiceProfile stored(TopologyFixture f, String service)
      throws InvalidProtocolBufferException {
    byte[] bytes = store(f).get(service);
    assertNotNull(bytes, "no stored profile for " + service);
    return ServiceProfile.parseFrom(bytes);
  }

  private static ProfileEntry entry(ServiceProfile p, String target) {
    return p.getEntriesList().stream()
        .filter(e -> e.getTarget().contains(target))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no entry for " + target + " in " + p));
  }

  private static boolean has(ServiceProfile p, String target) {
    return p.getEntriesList().stream().anyMatch(e -> e.getTarget().contains(target));
  }

  @Test
  void theStoreHandsBackTheVeryArrayItWasGivenWhichIsWhatTheMemoRecognises(@TempDir Path dir) {
    try (TopologyFixture f = new TopologyFixture(dir)) {
      f.send("shop", DB);
      byte[] first = store(f).get("shop");
      assertSame(first, store(f).get("shop"), "through the store's cache, committed or not");
      f.send("shop", DB);
      byte[] second = store(f).get("shop");
      assertTrue(first != second, "every save writes a new array");
    }
  }

  @Test
  void aBatchThatFailsAfterChangingTheProfileInMemoryLeavesNothingBehind(@TempDir Path dir)
      throws Exception {
    try (TopologyFixture f = new TopologyFixture(dir)) {
      f.send("shop", DB);
      f.send("shop", DB); // the second batch ran on the kept profile
      assertEquals(2, entry(stored(f, "shop"), "db.internal").getCount());

      f.pipeline.poisonGuard().faultBeforeSave =
          v -> {
            if (v instanceof EventBatch b && b.getEventsCount() == 2) {
              throw new IllegalStateException("failed after detection");
            }
          };
      // Learned a new file and counted 1000 connects in memory, then failed before the save.
      f.send("shop", times(DB, 1000), read("/srv/shop/half-applied.csv"));
      List<TestRecord<byte[], byte[]>> letters = f.deadLetters.readRecordsToList();
      assertEquals(1, letters.size(), "the failed batch is set aside");
      String reason =
          new String(
              letters.get(0).headers().lastHeader("tripline.error").value(),
              StandardCharsets.UTF_8);
      assertTrue(reason.contains("failed after detection"), reason);

      f.send("shop", DB);
      ServiceProfile after = stored(f, "shop");
      assertEquals(3, entry(after, "db.internal").getCount(), "the failed batch counted nothing");
      assertTrue(!has(after, "half-applied"), "nor learned anything: " + after);
      assertEquals(
          3, after.getEventsTotal(), "events total of the three batches that were saved only");
    }
  }

  @Test
  void aValueTheStoreGotElsewhereWinsOverTheKeptProfile(@TempDir Path dir) throws Exception {
    try (TopologyFixture f = new TopologyFixture(dir)) {
      f.send("shop", DB);
      f.send("shop", DB);
      // What a restore from the changelog does: the store holds another version, in another array.
      ServiceProfile restored = stored(f, "shop");
      ServiceProfile.Builder b = restored.toBuilder().setState(ProfileState.MONITORING);
      for (int i = 0; i < b.getEntriesCount(); i++) {
        if (b.getEntries(i).getTarget().contains("db.internal")) {
          b.getEntriesBuilder(i).setCount(1_000_000);
        }
      }
      store(f).put("shop", b.build().toByteArray());

      f.send("shop", DB, read("/srv/shop/new.csv"));
      ServiceProfile after = stored(f, "shop");
      assertEquals(1_000_001, entry(after, "db.internal").getCount());
      assertEquals(ProfileState.MONITORING, after.getState());
      assertTrue(
          !has(after, "new.csv"), "judged as the stored MONITORING profile: not learned " + after);
      assertTrue(
          f.alerts().stream().anyMatch(a -> a.getNormalizedTarget().contains("new.csv")),
          "but alerted: " + f.alerts());

      // A content-equal copy is another array too: parsed again, same result.
      store(f).put("shop", store(f).get("shop").clone());
      f.send("shop", DB);
      assertEquals(1_000_002, entry(stored(f, "shop"), "db.internal").getCount());
    }
  }

  @Test
  void aRetiredServiceStartsAfresh(@TempDir Path dir) throws Exception {
    try (TopologyFixture f = new TopologyFixture(dir)) {
      f.send("shop", times(DB, 7));
      f.send("shop", DB);
      f.act(
          AnalystAction.newBuilder()
              .setId(UUID.randomUUID().toString())
              .setService("shop")
              .setType(AnalystAction.ActionType.RETIRE_SERVICE)
              .setActor("test")
              .build());
      assertNull(store(f).get("shop"));
      f.send("shop", DB);
      assertEquals(1, entry(stored(f, "shop"), "db.internal").getCount());
    }
  }

  @Test
  void theTickSeesTheKeptProfileAndEndsLearningAsBefore(@TempDir Path dir) throws Exception {
    try (TopologyFixture f = new TopologyFixture(dir)) {
      f.send("shop", DB);
      for (int i = 0; i < 8; i++) {
        f.advance(Duration.ofMillis(500));
      }
      assertEquals(ProfileState.MONITORING, stored(f, "shop").getState());
      f.send("shop", DB); // on the profile the tick saved
      ServiceProfile after = stored(f, "shop");
      assertEquals(ProfileState.MONITORING, after.getState());
      assertEquals(2, entry(after, "db.internal").getCount());
    }
  }

  private static ServiceProfile profile(String service, int padding) {
    return ServiceProfile.newBuilder()
        .setService(service)
        .setStateChangedBy("x".repeat(padding))
        .build();
  }

  @Test
  void keptOnlyForTheArrayWrittenAndHandedOutOnce() {
    ProfileMemo memo = new ProfileMemo(new ProfileMemo.Budget(1 << 20));
    ServiceProfile p = profile("a", 10);
    byte[] bytes = p.toByteArray();
    Profiles working = Profiles.of(p);
    memo.keep("a", bytes, p, working);

    assertNull(memo.peek("a", bytes.clone()), "equal content, another array: not ours");
    assertNull(memo.take("a", bytes), "and the stale entry was dropped");

    memo.keep("a", bytes, p, working);
    assertSame(p, memo.peek("a", bytes).message(), "peek leaves it kept");
    assertSame(working, memo.take("a", bytes).working());
    assertNull(memo.take("a", bytes), "taken once: a failed batch cannot leave it behind");
    assertEquals(0, memo.size());
  }

  @Test
  void theBudgetIsSharedByEveryTaskAndTheLeastRecentlyUsedGoFirst() {
    ProfileMemo.Budget budget = new ProfileMemo.Budget(1_000);
    ProfileMemo one = new ProfileMemo(budget);
    ProfileMemo two = new ProfileMemo(budget);
    ServiceProfile a = profile("a", 400);
    ServiceProfile b = profile("b", 400);
    ServiceProfile c = profile("c", 400);
    byte[] ab = a.toByteArray();
    byte[] bb = b.toByteArray();
    byte[] cb = c.toByteArray();
    one.keep("a", ab, a, null);
    one.keep("b", bb, b, null);
    assertNotNull(one.peek("a", ab)); // a is now the more recently used
    one.keep("c", cb, c, null);
    assertEquals(2, one.size());
    assertNull(one.peek("b", bb), "b, the least recently used, made room");
    assertNotNull(one.peek("a", ab));

    ServiceProfile d = profile("d", 400);
    byte[] db = d.toByteArray();
    two.keep("d", db, d, null); // the budget is spent by the other task's memo: not kept
    assertEquals(0, two.size());
    assertTrue(budget.used() <= 1_000);

    one.clear();
    assertEquals(0, budget.used(), "a closed task gives its share back");
    two.keep("d", db, d, null);
    assertEquals(1, two.size());
  }
}

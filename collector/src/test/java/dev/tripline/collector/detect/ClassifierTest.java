package dev.tripline.collector.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.model.CallSite;
import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import dev.tripline.model.FileTarget;
import dev.tripline.model.NetworkTarget;
import dev.tripline.model.ProcessTarget;
import dev.tripline.model.judge.KnownBadRules;
import dev.tripline.model.judge.Normalizer;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClassifierTest {
  private final Classifier classifier = new Classifier(KnownBadRules.load(""), 1_000);

  private static Event file(EventKind kind, String path, String method) {
    return Event.newBuilder()
        .setKind(kind)
        .setFile(FileTarget.newBuilder().setPath(path))
        .setCallSite(CallSite.newBuilder().setClassName("a.B").setMethodName(method))
        .setCount(3)
        .build();
  }

  @Test
  void cachedAnswersEqualTheUncachedOnes() {
    List<Event> events =
        List.of(
            file(EventKind.FILE_READ, "/etc/app/app.conf", "load"),
            file(EventKind.FILE_READ, "/root/.aws/credentials", "load"),
            file(EventKind.FILE_WRITE, "/var/log/app/app-2026-11-25.log", "log"),
            Event.newBuilder()
                .setKind(EventKind.NET_CONNECT)
                .setNetwork(
                    NetworkTarget.newBuilder().setHost("").setIp("169.254.169.254").setPort(80))
                .build(),
            Event.newBuilder()
                .setKind(EventKind.PROCESS_SPAWN)
                .setProcess(
                    ProcessTarget.newBuilder()
                        .setExecutable("/bin/sh")
                        .addArgv("/bin/sh")
                        .addArgv("-c")
                        .addArgv("id"))
                .build());
    for (int round = 0; round < 2; round++) { // the second round is served from the cache
      for (Event e : events) {
        Classifier.Classified c = classifier.classify(e);
        assertEquals(Normalizer.key(e), c.key(), e.toString());
        assertEquals(
            KnownBadRules.load("").match(e).map(KnownBadRules.Rule::id),
            c.rule().map(KnownBadRules.Rule::id));
      }
    }
    assertTrue(
        classifier.classify(events.get(1)).rule().isPresent(), "credential files are known bad");
  }

  @Test
  void theCacheKeyHoldsEveryFieldThatDecidesTheAnswer() {
    // Same path, other kind: other behaviour. Same target, other call site or count: the same
    // entry.
    assertNotEquals(
        classifier.classify(file(EventKind.FILE_READ, "/srv/x.conf", "a")).key(),
        classifier.classify(file(EventKind.FILE_WRITE, "/srv/x.conf", "a")).key());
    assertEquals(
        Classifier.rawTarget(file(EventKind.FILE_READ, "/srv/x.conf", "a")),
        Classifier.rawTarget(file(EventKind.FILE_READ, "/srv/x.conf", "b")));
    Event renamed =
        file(EventKind.FILE_RENAME, "/srv/a", "m").toBuilder()
            .setFile(FileTarget.newBuilder().setPath("/srv/a").setNewPath("/root/.ssh/id_rsa"))
            .build();
    assertNotEquals(
        Classifier.rawTarget(renamed),
        Classifier.rawTarget(file(EventKind.FILE_RENAME, "/srv/a", "m")));
    assertEquals(Normalizer.key(renamed), classifier.classify(renamed).key());
  }

  @Test
  void noFieldPassesForTwoInTheCacheKey() {
    // A joined key ("path NUL newPath …") made these two one entry: the second event would have
    // been judged by the first one's answer, in any service (the cache is collector-wide).
    Event joined =
        Event.newBuilder()
            .setKind(EventKind.FILE_RENAME)
            .setFile(FileTarget.newBuilder().setPath("/srv/a\u0000/root/.ssh/id_rsa"))
            .build();
    Event apart =
        Event.newBuilder()
            .setKind(EventKind.FILE_RENAME)
            .setFile(FileTarget.newBuilder().setPath("/srv/a").setNewPath("/root/.ssh/id_rsa"))
            .build();
    assertNotEquals(Classifier.rawTarget(joined), Classifier.rawTarget(apart));
    classifier.classify(joined);
    assertEquals(Normalizer.key(apart), classifier.classify(apart).key());
  }

  @Test
  void theCacheKeyHoldsCallSiteClassAndJarWhenRulesReadThem(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    assertEquals(
        Classifier.rawTarget(file(EventKind.FILE_READ, "/srv/x", "a"), false),
        Classifier.rawTarget(
            file(EventKind.FILE_READ, "/srv/x", "a").toBuilder()
                .setCallSite(CallSite.newBuilder().setClassName("z.Z"))
                .build(),
            false),
        "built-in rules never read the call site: one cache entry per target");
    java.nio.file.Path rules = dir.resolve("r.rules");
    java.nio.file.Files.writeString(
        rules,
        "legacy | any | * | HIGH | T1059 | Legacy spawn | class=com.acme.legacy.* kind=PROCESS_SPAWN\n");
    Classifier withClassRule = new Classifier(KnownBadRules.load(rules.toString()), 100);
    Event spawn =
        Event.newBuilder()
            .setKind(EventKind.PROCESS_SPAWN)
            .setProcess(
                ProcessTarget.newBuilder()
                    .setExecutable("/usr/bin/convert")
                    .addArgv("/usr/bin/convert"))
            .setCallSite(CallSite.newBuilder().setClassName("com.acme.modern.Img"))
            .build();
    assertTrue(withClassRule.classify(spawn).rule().isEmpty());
    Event legacy =
        spawn.toBuilder()
            .setCallSite(CallSite.newBuilder().setClassName("com.acme.legacy.Img"))
            .build();
    assertEquals(
        "legacy",
        withClassRule.classify(legacy).rule().map(KnownBadRules.Rule::id).orElse("none"),
        "the first answer, for another class, was not reused");
  }

  @Test
  void theCacheKeyHoldsRealPathContextsAndCallSiteClassAndJar() {
    Event plain = file(EventKind.FILE_READ, "/srv/data/x", "a");
    Event linked =
        plain.toBuilder()
            .setFile(FileTarget.newBuilder().setPath("/srv/data/x").setRealPath("/etc/shadow"))
            .build();
    assertNotEquals(Classifier.rawTarget(plain), Classifier.rawTarget(linked));
    assertEquals(
        "credential-file",
        classifier.classify(linked).rule().map(KnownBadRules.Rule::id).orElse("none"));
    assertTrue(
        classifier.classify(plain).rule().isEmpty(),
        "the earlier answer did not leak into the cache");
    Event underXxe =
        plain.toBuilder()
            .addContexts(dev.tripline.model.CodeContext.newBuilder().setCategory("xml-entity"))
            .build();
    assertEquals(
        "xxe-read",
        classifier.classify(underXxe).rule().map(KnownBadRules.Rule::id).orElse("none"));
    Event otherJar =
        plain.toBuilder()
            .setCallSite(plain.getCallSite().toBuilder().setJarName("lib-1.0.jar"))
            .build();
    assertEquals("lib.jar", classifier.owner(otherJar));
    assertEquals("a.*", classifier.owner(plain));
    Event fromDirectory =
        plain.toBuilder()
            .setCallSite(plain.getCallSite().toBuilder().setJarName("test-classes/"))
            .build();
    assertEquals("a.*", classifier.owner(fromDirectory), "a class directory is not a jar");
    Event fromBootClasses =
        plain.toBuilder()
            .setCallSite(
                plain.getCallSite().toBuilder()
                    .setJarName("app.jar (BOOT-INF/classes)")
                    .setArchive("app.jar"))
            .build();
    assertEquals(
        "a.*",
        classifier.owner(fromBootClasses),
        "the application's classes in a fat jar: per package");
    Event fromTargetClasses =
        plain.toBuilder()
            .setCallSite(plain.getCallSite().toBuilder().setJarName("target/classes"))
            .build();
    assertEquals("a.*", classifier.owner(fromTargetClasses));
    Event nestedLib =
        plain.toBuilder()
            .setCallSite(
                plain.getCallSite().toBuilder()
                    .setClassName("ch.qos.X")
                    .setJarName("logback-core-1.5.20.jar")
                    .setArchive("app.jar"))
            .build();
    assertEquals(
        "logback-core.jar",
        classifier.owner(nestedLib),
        "a library in a fat jar: its jar without the version");
    Event otherClass =
        plain.toBuilder()
            .setCallSite(CallSite.newBuilder().setClassName("c.D").setMethodName("a"))
            .build();
    assertEquals("c.*", classifier.owner(otherClass));
    Event socket =
        Event.newBuilder()
            .setKind(EventKind.NET_CONNECT)
            .setNetwork(
                NetworkTarget.newBuilder().setProtocol("unix").setPath("/var/run/docker.sock"))
            .build();
    assertEquals(
        "container-socket",
        classifier.classify(socket).rule().map(KnownBadRules.Rule::id).orElse("none"));
    assertNotEquals(
        Classifier.rawTarget(socket),
        Classifier.rawTarget(
            socket.toBuilder()
                .setNetwork(NetworkTarget.newBuilder().setProtocol("unix").setPath("/run/app.sock"))
                .build()));
  }
}

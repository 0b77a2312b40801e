package dev.tripline.agent.instrument;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.agent.config.AgentConfig;
import dev.tripline.agent.config.AgentKeys;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The hook declarations against the JDK running the tests (the ITs weave them on every JDK). */
class HooksTest {
  /**
   * JDK hooks against this JDK; library hooks against the library versions on the test class path
   * (see the pom).
   */
  @Test
  void everyHookNameMatchesAMethodOfThisJdkAndWeaves() throws Exception {
    Set<String> names = new LinkedHashSet<>();
    Set<String> woven = new LinkedHashSet<>();
    for (HookGroup g : Hooks.groups()) {
      for (Hook h : g.hooks()) {
        if (h.isUncovered() || !Hooks.existsOn(h, Runtime.version().feature())) {
          continue; // a blind spot declared as such, or a class this JDK does not have
        }
        names.add(h.name);
        h.id = 7;
        byte[] original = classBytes(h.owner);
        assertNotNull(original, h.owner + " is not a class of this JDK or the test class path");
        byte[] out = HookWeaver.weave(original, List.of(h));
        if (out != null) {
          assertTrue(h.applied, h.name);
          assertTrue(out.length > original.length, h.name + " added code");
          woven.add(h.name);
        }
      }
    }
    assertEquals(names, woven, "every hook has a shape on this JDK");
  }

  /**
   * A library's request scope proves its reports with tokens woven as constants into the server's
   * method (never the plain 1/0 any caller of the public bridge could pass): distinct per hook and
   * side, and different in each JVM's table.
   */
  @Test
  void libraryRequestScopesAreWovenWithTheirOwnTokens() throws Exception {
    AgentConfig config =
        AgentConfig.load(new java.util.Properties(), Map.of("TRIPLINE_SINK", "none"));
    Hooks hooks = new Hooks(config);
    Hooks other = new Hooks(config);
    Set<Integer> tokens = new java.util.HashSet<>();
    for (String name :
        List.of("request.servlet", "request.reactor-netty", "request.webflux-route")) {
      int id = hooks.idOf(name);
      Hook h = hooks.hook(id);
      assertTrue(h.provesScope(), name);
      for (int t : new int[] {h.entryToken, h.exitToken}) {
        assertTrue(t != 0 && t != 1 && tokens.add(t), name + ": token " + t);
      }
      assertEquals(1, hooks.scope(id, h.entryToken), name);
      assertEquals(0, hooks.scope(id, h.exitToken), name);
      for (int forged : new int[] {0, 1, -1, h.entryToken + 1, h.exitToken ^ 1}) {
        assertEquals(-1, hooks.scope(id, forged), name + " refuses " + forged);
      }
      Hook there = other.hook(other.idOf(name));
      assertTrue(there.entryToken != h.entryToken || there.exitToken != h.exitToken, name);
    }
    int servlet = hooks.idOf("request.servlet");
    byte[] woven =
        HookWeaver.weave(
            classBytes("jakarta/servlet/http/HttpServlet"), List.of(hooks.hook(servlet)));
    assertNotNull(woven);
    List<Integer> passed = reportArguments(woven, "service");
    assertTrue(passed.contains(hooks.hook(servlet).entryToken), passed.toString());
    assertTrue(passed.contains(hooks.hook(servlet).exitToken), passed.toString());
    assertFalse(hooks.provesScope(hooks.idOf("file.FileInputStream.open")));
    int file = hooks.idOf("file.FileInputStream.open");
    if (file >= 0) {
      assertEquals(5, hooks.scope(file, 5), "any other hook's n is its own");
    }
  }

  /** The int constant each {@code TriplineBridge.report} call in {@code method} passes as n. */
  private static List<Integer> reportArguments(byte[] classBytes, String method) {
    List<Integer> out = new java.util.ArrayList<>();
    new net.bytebuddy.jar.asm.ClassReader(classBytes)
        .accept(
            new net.bytebuddy.jar.asm.ClassVisitor(net.bytebuddy.jar.asm.Opcodes.ASM9) {
              @Override
              public net.bytebuddy.jar.asm.MethodVisitor visitMethod(
                  int access, String name, String descriptor, String signature, String[] ex) {
                if (!name.equals(method)) {
                  return null;
                }
                return new net.bytebuddy.jar.asm.MethodVisitor(net.bytebuddy.jar.asm.Opcodes.ASM9) {
                  // the int pushed before the last push (the thrown: null) of a report call
                  private final List<Object> pushed = new java.util.ArrayList<>();

                  @Override
                  public void visitLdcInsn(Object value) {
                    pushed.add(value);
                  }

                  @Override
                  public void visitIntInsn(int opcode, int operand) {
                    pushed.add(operand);
                  }

                  @Override
                  public void visitInsn(int opcode) {
                    if (opcode >= net.bytebuddy.jar.asm.Opcodes.ICONST_M1
                        && opcode <= net.bytebuddy.jar.asm.Opcodes.ICONST_5) {
                      pushed.add(opcode - net.bytebuddy.jar.asm.Opcodes.ICONST_0);
                    }
                  }

                  @Override
                  public void visitMethodInsn(
                      int opcode, String owner, String name, String descriptor, boolean itf) {
                    if (owner.equals("dev/tripline/bootstrap/TriplineBridge")
                        && name.equals("report")
                        && !pushed.isEmpty()
                        && pushed.get(pushed.size() - 1) instanceof Integer) {
                      out.add((Integer) pushed.get(pushed.size() - 1));
                    }
                    pushed.clear();
                  }
                };
              }
            },
            0);
    return out;
  }

  @Test
  void aDeclarationThatDoesNotFitItsMethodIsRefusedNotWoven() throws Exception {
    Hook wrong =
        Hook.exit(
            "bad",
            "java/io/FileInputStream",
            "open",
            "(Ljava/lang/String;)",
            0,
            Hook.Value.arg(3),
            Hook.Value.NONE,
            Hook.Value.NONE);
    byte[] bytes = classBytes(wrong.owner);
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> HookWeaver.weave(bytes, List.of(wrong)));
    assertTrue(e.getMessage().contains("no argument 3"), e.getMessage());
    Hook intAsObject =
        Hook.exit(
            "bad",
            "java/io/RandomAccessFile",
            "open",
            "(Ljava/lang/String;I)",
            0,
            Hook.Value.arg(1),
            Hook.Value.NONE,
            Hook.Value.NONE);
    assertThrows(
        IllegalStateException.class,
        () -> HookWeaver.weave(classBytes(intAsObject.owner), List.of(intAsObject)));
  }

  @Test
  void aFieldReadMustNameAnObjectOfItsClassAndATypeThatFits() throws Exception {
    // a field of an argument whose type is not the field's class
    Hook otherClass =
        Hook.exit(
            "bad",
            "java/io/File",
            "renameTo",
            "(Ljava/io/File;)",
            0,
            Hook.Value.argField(0, "java/lang/String", "value", "[B"),
            Hook.Value.NONE,
            Hook.Value.NONE);
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> HookWeaver.weave(classBytes(otherClass.owner), List.of(otherClass)));
    assertTrue(e.getMessage().contains("is no java/lang/String"), e.getMessage());
    // a String field passed as n (an int)
    Hook stringAsInt =
        Hook.exit(
            "bad",
            "java/io/File",
            "delete",
            "()",
            0,
            Hook.Value.NONE,
            Hook.Value.NONE,
            Hook.Value.thisField("java/io/File", "path", "Ljava/lang/String;"));
    assertThrows(
        IllegalStateException.class,
        () -> HookWeaver.weave(classBytes(stringAsInt.owner), List.of(stringAsInt)));
    // scoped and inner at once
    Hook both =
        Hook.exit(
                "bad",
                "java/io/File",
                "delete",
                "()",
                0,
                Hook.Value.NONE,
                Hook.Value.NONE,
                Hook.Value.NONE)
            .scoped()
            .inner();
    assertThrows(
        IllegalStateException.class, () -> HookWeaver.weave(classBytes(both.owner), List.of(both)));
  }

  @Test
  void aBoxedValueIsAnIntArgumentAndAnArgumentArrayHoldsIntsAndObjectsOnly() throws Exception {
    // boxed: the String argument of FileInputStream.open is no int
    Hook boxedString =
        Hook.exit(
            "bad",
            "java/io/FileInputStream",
            "open",
            "(Ljava/lang/String;)",
            0,
            Hook.Value.NONE,
            Hook.Value.boxed(0),
            Hook.Value.NONE);
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> HookWeaver.weave(classBytes(boxedString.owner), List.of(boxedString)));
    assertTrue(e.getMessage().contains("boxed"), e.getMessage());
    // an argument array as n (an int), and one naming an argument the method has not
    Hook arrayAsInt =
        Hook.exit(
            "bad",
            "java/io/RandomAccessFile",
            "open",
            "(Ljava/lang/String;I)",
            0,
            Hook.Value.NONE,
            Hook.Value.NONE,
            Hook.Value.args(0, 1));
    assertThrows(
        IllegalStateException.class,
        () -> HookWeaver.weave(classBytes(arrayAsInt.owner), List.of(arrayAsInt)));
    Hook noSuchArgument =
        Hook.exit(
            "bad",
            "java/io/RandomAccessFile",
            "open",
            "(Ljava/lang/String;I)",
            0,
            Hook.Value.args(0, 2),
            Hook.Value.NONE,
            Hook.Value.NONE);
    assertThrows(
        IllegalStateException.class,
        () -> HookWeaver.weave(classBytes(noSuchArgument.owner), List.of(noSuchArgument)));
    // the fitting declaration weaves
    Hook fits =
        Hook.exit(
            "fits",
            "java/io/RandomAccessFile",
            "open",
            "(Ljava/lang/String;I)",
            0,
            Hook.Value.args(0, 1),
            Hook.Value.boxed(1),
            Hook.Value.NONE);
    fits.id = 7;
    assertNotNull(HookWeaver.weave(classBytes(fits.owner), List.of(fits)));
    assertTrue(fits.applied);
  }

  @Test
  void theProcessConstructorsBlocksReadAsTheChildWillSeeThem() {
    byte[] env = "LD_PRELOAD=/tmp/a.so\0TZ=UTC\0NOEQUALS\0LD_PRELOAD=/tmp/b.so\0".getBytes(UTF_8);
    Map<String, String> read = NativeStrings.environment(env, 4);
    assertEquals(Map.of("LD_PRELOAD", "/tmp/a.so /tmp/b.so", "TZ", "UTC"), read);
    assertEquals(Map.of(), NativeStrings.environment(null, 0), "a null block: inherited");
    assertEquals(Map.of("A", "1"), NativeStrings.environment("A=1\0B=2\0".getBytes(UTF_8), 1));
    assertEquals("/srv", NativeStrings.string("/srv\0".getBytes(UTF_8)));
    assertEquals(null, NativeStrings.string(null));
  }

  @Test
  void aNameAtADirectoryDescriptorIsTheDirectoryTheKernelHoldsThenTheName() throws Exception {
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("dfd").toRealPath();
    try (java.nio.file.DirectoryStream<java.nio.file.Path> ds =
        java.nio.file.Files.newDirectoryStream(dir)) {
      java.nio.file.Path fds = java.nio.file.Path.of("/proc/self/fd");
      Integer fd = null;
      try (java.util.stream.Stream<java.nio.file.Path> all = java.nio.file.Files.list(fds)) {
        for (java.nio.file.Path p : (Iterable<java.nio.file.Path>) all::iterator) {
          try {
            if (java.nio.file.Files.readSymbolicLink(p).equals(dir)) {
              fd = Integer.valueOf(p.getFileName().toString());
            }
          } catch (java.io.IOException gone) {
            // the listing's own descriptor
          }
        }
      }
      assertNotNull(fd, "the stream holds a descriptor of " + dir);
      assertEquals(dir + "/credentials", DescriptorPaths.at(fd, "credentials"));
    } finally {
      java.nio.file.Files.delete(dir);
    }
    assertEquals("/etc/hosts", DescriptorPaths.at(5, "/etc/hosts"), "an absolute name");
    assertEquals("rel.txt", DescriptorPaths.at(-1, "rel.txt"), "no descriptor: as given");
    assertEquals("rel.txt", DescriptorPaths.at(null, "rel.txt"));
    assertEquals(
        "/proc/self/fd/999999/x", DescriptorPaths.at(999_999, "x"), "unreadable: through /proc");
  }

  @Test
  void aTransformerFailureLeavesTheClassUnhookedAndIsRecorded() {
    Hook wrong =
        Hook.exit(
            "bad",
            "java/io/FileInputStream",
            "open",
            "(Ljava/lang/String;)",
            0,
            Hook.Value.RETURN,
            Hook.Value.NONE,
            Hook.Value.NONE); // open returns void
    HookWeaver weaver = new HookWeaver(List.of(wrong), null);
    assertEquals(
        null, weaver.transform(null, "java/io/FileInputStream", null, null, new byte[] {1, 2, 3}));
    assertTrue(weaver.failures().containsKey("java/io/FileInputStream"));
    assertEquals(
        null,
        weaver.transform(
            ClassLoader.getSystemClassLoader(), "java/io/FileInputStream", null, null, new byte[0]),
        "an application's class of the same name is never touched");
  }

  @Test
  void aLibraryHookIsWovenInWhicheverLoaderDefinesItAndCountsOnlyOnceItsLibraryIsLoaded()
      throws Exception {
    Hooks hooks =
        new Hooks(AgentConfig.load(new java.util.Properties(), Map.of("TRIPLINE_SINK", "none")));
    assertTrue(hooks.all().contains("net.connect"));
    assertTrue(
        hooks.all().stream().noneMatch(n -> n.startsWith("netty.")),
        "no Netty loaded by a weaver yet: its hooks are not missing, the library is absent "
            + hooks.all());

    Hook connect =
        Hook.exit(
            "netty.connect",
            "io/netty/channel/unix/Socket",
            "connect",
            "(Ljava/net/SocketAddress;)",
            0,
            Hook.Value.arg(0),
            Hook.Value.NONE,
            Hook.Value.NONE);
    connect.id = 3;
    assertTrue(connect.library);
    HookWeaver weaver = new HookWeaver(List.of(connect), null);
    byte[] woven =
        weaver.transform(
            ClassLoader.getSystemClassLoader(),
            connect.owner,
            null,
            null,
            classBytes(connect.owner));
    assertNotNull(woven, "an application loader's Netty is woven");
    assertTrue(connect.present && connect.applied && connect.expected());
    assertTrue(weaver.failures().isEmpty(), weaver.failures().toString());
  }

  @Test
  void aGuardedLibraryHookAsksTheBridgesGuardBeforeAnythingElse() throws Exception {
    Hook connect =
        Hook.exit(
                "netty.connect",
                "io/netty/channel/unix/Socket",
                "connect",
                "(Ljava/net/SocketAddress;)",
                0,
                Hook.Value.arg(0),
                Hook.Value.NONE,
                Hook.Value.NONE)
            .guarded(Refusal.CONNECT);
    connect.id = 3;
    byte[] woven = HookWeaver.weave(classBytes(connect.owner), List.of(connect));
    assertNotNull(woven);
    List<String> first = new ArrayList<>();
    new net.bytebuddy.jar.asm.ClassReader(woven)
        .accept(
            new net.bytebuddy.jar.asm.ClassVisitor(net.bytebuddy.jar.asm.Opcodes.ASM9) {
              @Override
              public net.bytebuddy.jar.asm.MethodVisitor visitMethod(
                  int access, String name, String desc, String sig, String[] exceptions) {
                if (!name.equals("connect") || !desc.startsWith("(Ljava/net/SocketAddress;)")) {
                  return null;
                }
                return new net.bytebuddy.jar.asm.MethodVisitor(net.bytebuddy.jar.asm.Opcodes.ASM9) {
                  @Override
                  public void visitMethodInsn(
                      int op, String owner, String method, String d, boolean itf) {
                    first.add(owner + "." + method + d);
                  }
                };
              }
            },
            0);
    assertEquals(
        "dev/tripline/bootstrap/TriplineBridge.guard(ILjava/lang/Object;Ljava/lang/Object;I)V",
        first.get(0),
        "the bridge's guard is the first call: " + first);
    assertTrue(
        first.contains(
            "dev/tripline/bootstrap/TriplineBridge.report"
                + "(ILjava/lang/Object;Ljava/lang/Object;ILjava/lang/Throwable;)V"),
        "and it still reports at its exit: " + first);
    assertTrue(first.stream().noneMatch(c -> c.contains("TriplineGate")), first.toString());
  }

  @Test
  void aLoadedTransportTheAgentCannotSeeIsListedAsMissingNotSilent() {
    Hook uring =
        Hook.uncovered(
            "netty.io_uring (not covered)", "io/netty/channel/uring/IoUringSocketChannel");
    HookWeaver weaver = new HookWeaver(List.of(uring), null);
    assertEquals(false, uring.expected(), "not loaded: not a blind spot");
    assertEquals(
        null,
        weaver.transform(ClassLoader.getSystemClassLoader(), uring.owner, null, null, new byte[0]));
    assertTrue(uring.expected() && !uring.applied, "loaded and never woven: listed as missing");
    assertTrue(weaver.failures().isEmpty(), "not a weaving failure: " + weaver.failures());
  }

  @Test
  void theCaptureWordsAreTheGroupsAndTheConfigurationDefault() {
    assertEquals(Set.of("net", "dns", "file", "process", "code"), Hooks.captureWords());
    AgentConfig config =
        AgentConfig.load(new java.util.Properties(), Map.of("TRIPLINE_SINK", "none"));
    assertEquals(Hooks.captureWords(), new LinkedHashSet<>(config.get(AgentKeys.CAPTURE)));
  }

  @Test
  void captureSelectsGroupsAndNumbersTheTable() {
    Hooks files =
        new Hooks(
            AgentConfig.load(
                new java.util.Properties(),
                Map.of("TRIPLINE_CAPTURE", "file", "TRIPLINE_SINK", "none")));
    List<String> all = new ArrayList<>(files.all());
    // the task hand-offs serve request context, which every kind carries (request.context)
    assertTrue(
        all.stream().allMatch(n -> n.startsWith("file.") || n.startsWith("handoff.")),
        all.toString());
    assertTrue(all.contains("file.nio.channelOpen"));
  }

  private static byte[] classBytes(String internalName) throws Exception {
    String pkg = internalName.substring(0, internalName.lastIndexOf('/')).replace('/', '.');
    for (Module m : ModuleLayer.boot().modules()) {
      if (m.getPackages().contains(pkg)) {
        try (InputStream in = m.getResourceAsStream(internalName + ".class")) {
          return in == null ? null : in.readAllBytes();
        }
      }
    }
    try (InputStream in = ClassLoader.getSystemResourceAsStream(internalName + ".class")) {
      return in == null ? null : in.readAllBytes(); // a library's, from the test class path
    }
  }

  /**
   * The start-up buffer skips exactly the request and task-hand-off hooks: a spawn's environment
   * and a JNDI DNS query are hand-off-style rows too, but part of events (their loss before the
   * recorder was ready dropped LD_PRELOAD from an early spawn).
   */
  @Test
  void theStartUpBufferSkipsRequestAndTaskHooksOnly() {
    Hooks hooks =
        new Hooks(AgentConfig.load(new java.util.Properties(), Map.of("TRIPLINE_SINK", "none")));
    boolean[] skip = hooks.contextOnlyIds();
    for (String kept : List.of("process.environment", "dns.jndi", "process.start")) {
      int id = hooks.idOf(kept);
      if (id >= 0) {
        assertTrue(!skip[id], kept + " is kept");
      }
    }
    assertTrue(hooks.idOf("process.environment") >= 0);
    for (String skipped : List.of("request.servlet", "handoff.executor-submit")) {
      assertTrue(skip[hooks.idOf(skipped)], skipped + " is skipped");
    }
    for (int id = 0; id < skip.length; id++) {
      assertEquals(hooks.context(id) != HookGroup.Context.NONE, skip[id], hooks.name(id));
    }
  }
}

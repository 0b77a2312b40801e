package dev.tripline.agent.instrument;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.bootstrap.TriplineGate;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.concurrent.Callable;
import javax.naming.Context;
import javax.naming.NamingException;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.Test;

/**
 * The context frame count as woven: a counted frame (a probe class under a JNDI provider's name)
 * raises it while it runs, and it is back to zero after the frame returned and after an exception
 * propagated out of it; the JDK's own counted classes (JNDI, serialization, XMLDecoder, scripting,
 * Xerces' entity manager) woven still pass the verifier; a library's hot classes of a counted
 * category are not woven but flag their category.
 */
class ContextCountsTest {
  private static final String PROBE = "com/sun/jndi/url/probe/JndiProbe";

  @Test
  void aCountedFrameRaisesTheCountAndLowersItOnReturnAndOnThrow() throws Exception {
    Class<?> probe = woven(renamed(bytesOf(JndiProbe.class), PROBE));
    Method lookup = probe.getMethod("lookup", Callable.class);

    assertEquals(0, TriplineGate.contextFrames(), "nothing counted on this thread yet");
    assertEquals(1, lookup.invoke(null, (Callable<Object>) TriplineGate::contextFrames));
    assertEquals(0, TriplineGate.contextFrames(), "no longer counted once it returned");

    Callable<Object> nested =
        () -> lookup.invoke(null, (Callable<Object>) TriplineGate::contextFrames);
    assertEquals(2, lookup.invoke(null, nested), "one per frame");
    assertEquals(0, TriplineGate.contextFrames());

    Callable<Object> failing =
        () -> {
          throw new NamingException("provider failed");
        };
    InvocationTargetException thrown =
        assertThrows(InvocationTargetException.class, () -> lookup.invoke(null, failing));
    assertTrue(thrown.getCause() instanceof NamingException);
    assertEquals(0, TriplineGate.contextFrames(), "an exception out of the frame lowers it too");
  }

  @Test
  void theJdksOwnCountedClassesWeaveIntoVerifiableCode() throws Exception {
    for (String name :
        new String[] {
          "javax/naming/InitialContext",
          "javax/naming/spi/NamingManager",
          "java/io/ObjectInputStream",
          "java/beans/XMLDecoder",
          "javax/script/ScriptEngineManager",
          "com/sun/org/apache/xerces/internal/impl/XMLEntityManager",
        }) {
      byte[] original = jdkClass(name);
      assertTrue(ContextCounts.candidate(name), name);
      byte[] woven = ContextCounts.weave(original, true);
      assertNotNull(woven, name + " has counted methods");
      if (name.startsWith("java/") || name.startsWith("com/sun/org/")) {
        // java.* only the boot loader may define, and Xerces' superinterfaces are not exported to
        // another loader's module: the agent ITs load both woven (ContextFrameCountIT)
        continue;
      }
      // defined and linked (verified) in a loader of its own; never initialised (its internals
      // are not exported to that loader's module); a VerifyError would be thrown here
      Class<?> c =
          Class.forName(name.replace('/', '.'), false, new Own(name.replace('/', '.'), woven));
      assertTrue(c.getDeclaredMethods().length > 0); // links the class: the verifier ran
    }
  }

  /** A JDK class file (class files are readable from every module). */
  private static byte[] jdkClass(String name) throws Exception {
    try (InputStream in = ClassLoader.getSystemResourceAsStream(name + ".class")) {
      assertNotNull(in, name);
      return in.readAllBytes();
    }
  }

  @Test
  void aLibrarysHotClassesAreNotWovenButFlagTheirCategory() throws Exception {
    String jackson = "com/fasterxml/jackson/databind/deser/BeanDeserializer";
    assertTrue(ContextCounts.candidate(jackson));
    // the same bytes under a library loader: a JDK-named class is only a stand-in for its methods
    assertNull(ContextCounts.weave(jdkClass("java/io/ObjectInputStream"), false));
    assertNotNull(ContextCounts.weave(jdkClass("java/io/ObjectInputStream"), true));
    ContextCounts.libraryLoaded(jackson);
    assertTrue(ContextCounts.libraryCategories().contains("deserialization"));
    ContextCounts.libraryLoaded("org/apache/logging/log4j/core/net/JndiManager");
    assertFalse(
        ContextCounts.libraryCategories().contains("jndi"), "a library's JNDI class is marked");
  }

  private static byte[] bytesOf(Class<?> c) throws Exception {
    try (InputStream in = c.getResourceAsStream(c.getSimpleName() + ".class")) {
      return in.readAllBytes();
    }
  }

  /** The class under another name (its own name is referenced nowhere else in it). */
  private static byte[] renamed(byte[] bytes, String to) {
    ClassReader reader = new ClassReader(bytes);
    ClassWriter writer = new ClassWriter(0);
    reader.accept(
        new ClassVisitor(Opcodes.ASM9, writer) {
          @Override
          public void visit(
              int version,
              int access,
              String name,
              String signature,
              String superName,
              String[] interfaces) {
            super.visit(version, access, to, signature, superName, interfaces);
          }

          @Override
          public void visitInnerClass(String name, String outer, String inner, int access) {}

          @Override
          public void visitNestHost(String host) {}
        },
        ClassReader.SKIP_DEBUG);
    return writer.toByteArray();
  }

  private static Class<?> woven(byte[] bytes) throws Exception {
    byte[] woven = ContextCounts.weave(bytes, true);
    assertNotNull(woven);
    String name = new ClassReader(woven).getClassName().replace('/', '.');
    return Class.forName(name, true, new Own(name, woven));
  }

  @Test
  void onlyTheCountedPackagesPassTheLoadFilter() {
    assertTrue(ContextCounts.candidate("java/io/ObjectInputStream"));
    assertTrue(ContextCounts.candidate("org/springframework/expression/spel/ast/MethodReference"));
    assertFalse(ContextCounts.candidate("java/io/ObjectOutputStream"));
    assertFalse(ContextCounts.candidate("java/io/File"));
    assertTrue(ContextCounts.candidate("javax/naming/InitialContext"));
    assertTrue(ContextCounts.candidate("com/sun/jndi/url/ldap/ldapURLContext"));
    assertTrue(ContextCounts.candidate("org.apache.logging.log4j.core.net.JndiManager"));
    assertFalse(ContextCounts.candidate("javax/naming/directory/InitialDirContext"));
    assertFalse(ContextCounts.candidate("java/lang/String"));
    assertFalse(ContextCounts.candidate("org/apache/logging/log4j/core/Logger"));
  }

  /** premain's scan of the loaded classes passes binary names; the JVM's loads, internal ones. */
  @Test
  void theFilterAnswersAlikeForBinaryAndInternalNames() {
    for (String internal :
        new String[] {
          "java/io/ObjectInputStream",
          "java/io/ObjectOutputStream",
          "javax/naming/InitialContext",
          "javax/naming/directory/InitialDirContext",
          "com/sun/jndi/url/ldap/ldapURLContext",
          "org/springframework/expression/spel/ast/MethodReference",
          "org/apache/logging/log4j/core/net/JndiManager",
          "org/apache/logging/log4j/core/Logger",
          "Main"
        }) {
      assertEquals(
          ContextCounts.candidate(internal),
          ContextCounts.candidate(internal.replace('/', '.')),
          internal);
    }
    // a hidden class (a lambda's proxy) holds both separators and can never be retransformed
    assertFalse(ContextCounts.candidate("java.io.ObjectInputStream$$Lambda$14/0x0000000800c0"));
  }

  @Test
  void aClassWithoutCountedMethodsIsLeftAlone() throws Exception {
    byte[] original;
    try (InputStream in = Context.class.getResourceAsStream("NameClassPair.class")) {
      original = in.readAllBytes();
    }
    assertNull(ContextCounts.weave(original, true));
  }

  /** Defines one class from the given bytes, everything else from its parent. */
  private static final class Own extends ClassLoader {
    private final String name;
    private final byte[] bytes;

    Own(String name, byte[] bytes) {
      super(ContextCountsTest.class.getClassLoader());
      this.name = name;
      this.bytes = bytes;
    }

    @Override
    protected Class<?> loadClass(String n, boolean resolve) throws ClassNotFoundException {
      if (n.equals(name)) {
        synchronized (getClassLoadingLock(n)) {
          Class<?> c = findLoadedClass(n);
          return c != null ? c : defineClass(n, bytes, 0, bytes.length);
        }
      }
      return super.loadClass(n, resolve);
    }
  }
}

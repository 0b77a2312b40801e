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
 * The JNDI frame count as woven: a counted frame (a probe class under a JNDI provider's name)
 * raises it while it runs, and it is back to zero after the frame returned and after an exception
 * propagated out of it; the JDK's own JNDI classes woven still pass the verifier.
 */
class JndiFramesTest {
  private static final String PROBE = "com/sun/jndi/url/probe/JndiProbe";

  @Test
  void aCountedFrameRaisesTheCountAndLowersItOnReturnAndOnThrow() throws Exception {
    Class<?> probe = woven(renamed(bytesOf(JndiProbe.class), PROBE));
    Method lookup = probe.getMethod("lookup", Callable.class);

    assertEquals(0, TriplineGate.jndiFrames(), "nothing counted on this thread yet");
    assertEquals(1, lookup.invoke(null, (Callable<Object>) TriplineGate::jndiFrames));
    assertEquals(0, TriplineGate.jndiFrames(), "no longer counted once it returned");

    Callable<Object> nested =
        () -> lookup.invoke(null, (Callable<Object>) TriplineGate::jndiFrames);
    assertEquals(2, lookup.invoke(null, nested), "one per frame");
    assertEquals(0, TriplineGate.jndiFrames());

    Callable<Object> failing =
        () -> {
          throw new NamingException("provider failed");
        };
    InvocationTargetException thrown =
        assertThrows(InvocationTargetException.class, () -> lookup.invoke(null, failing));
    assertTrue(thrown.getCause() instanceof NamingException);
    assertEquals(0, TriplineGate.jndiFrames(), "an exception out of the frame lowers it too");
  }

  @Test
  void theJdksOwnJndiClassesWeaveIntoVerifiableCode() throws Exception {
    for (String name :
        new String[] {
          "javax/naming/InitialContext", "javax/naming/spi/NamingManager",
        }) {
      byte[] original;
      try (InputStream in = Context.class.getResourceAsStream("/" + name + ".class")) {
        assertNotNull(in, name);
        original = in.readAllBytes();
      }
      byte[] woven = JndiFrames.weave(original, true);
      assertNotNull(woven, name + " has counted methods");
      // defined and linked (verified) in a loader of its own; never initialised (its internals
      // are not exported to that loader's module); a VerifyError would be thrown here
      Class<?> c =
          Class.forName(name.replace('/', '.'), false, new Own(name.replace('/', '.'), woven));
      assertTrue(c.getDeclaredMethods().length > 0); // links the class: the verifier ran
    }
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
    byte[] woven = JndiFrames.weave(bytes, true);
    assertNotNull(woven);
    String name = new ClassReader(woven).getClassName().replace('/', '.');
    return Class.forName(name, true, new Own(name, woven));
  }

  @Test
  void onlyTheJndiPackagesPassTheLoadFilter() {
    assertTrue(JndiFrames.candidate("javax/naming/InitialContext"));
    assertTrue(JndiFrames.candidate("com/sun/jndi/url/ldap/ldapURLContext"));
    assertTrue(JndiFrames.candidate("org.apache.logging.log4j.core.net.JndiManager"));
    assertFalse(JndiFrames.candidate("javax/naming/directory/InitialDirContext"));
    assertFalse(JndiFrames.candidate("java/lang/String"));
    assertFalse(JndiFrames.candidate("org/apache/logging/log4j/core/Logger"));
  }

  @Test
  void aClassWithoutCountedMethodsIsLeftAlone() throws Exception {
    byte[] original;
    try (InputStream in = Context.class.getResourceAsStream("NameClassPair.class")) {
      original = in.readAllBytes();
    }
    assertNull(JndiFrames.weave(original, true));
  }

  /** Defines one class from the given bytes, everything else from its parent. */
  private static final class Own extends ClassLoader {
    private final String name;
    private final byte[] bytes;

    Own(String name, byte[] bytes) {
      super(JndiFramesTest.class.getClassLoader());
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

package dev.tripline.agent.instrument;

import dev.tripline.agent.callsite.ContextFrames;
import dev.tripline.agent.gate.Gate;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;
import org.jspecify.annotations.Nullable;

/**
 * The per-thread count of JNDI frames (issue 23): protect mode's blocking connect rules ({@code
 * jndi-reach-out}, {@code jndi-lookup-out}) refuse a connect only with a frame of the {@code jndi}
 * or {@code jndi-lookup} category on the stack, so a connect on a thread that provably has none
 * needs no stack walk. Every method whose frame the built-in table ({@link ContextFrames#counted})
 * puts in those categories is woven here:
 *
 * <ul>
 *   <li>in a class of the JDK (boot or platform loader): {@code G.jndiEnter()} as the first
 *       instruction, {@code G.jndiExit()} before every return and in a catch-all handler that
 *       rethrows ({@code G} = the gate, which no application code can link to). A constructor has
 *       no handler (one covering its {@code super()} call cannot be verified): a constructor that
 *       throws leaves its count high — the thread's connects are walked from then on, which is
 *       safe;
 *   <li>in any other loader's class (log4j's {@code JndiManager} and {@code JndiLookup}, an
 *       application's {@code com.sun.jndi.*} provider): the public {@code
 *       TriplineBridge.jndiFrame()} at entry, which marks the thread for good (there is no public
 *       way to lower anything).
 * </ul>
 *
 * A count that can miss is a count that leaks high: an exit that cannot run (a stack overflow in
 * the call) leaves it raised. A class that cannot be woven makes every count untrusted ({@link
 * #trusted()}): then every connect is walked, as before.
 */
public final class JndiFrames {
  private static final String BRIDGE = "dev/tripline/bootstrap/TriplineBridge";

  /** False once a class with counted frames could not be woven (its frames would go uncounted). */
  private static volatile boolean trusted = true;

  private JndiFrames() {}

  /** Whether every class with counted frames loaded so far was woven. */
  public static boolean trusted() {
    return trusted;
  }

  /** A class with counted frames could not be woven: no count proves anything any more. */
  static void untrusted() {
    trusted = false;
  }

  /**
   * Whether class {@code name} (internal or binary form) may have counted frames: the check every
   * class load passes, three prefix tests for nearly all of them.
   */
  static boolean candidate(String name) {
    boolean jndiPackage =
        name.startsWith("com/sun/jndi/")
            || name.startsWith("javax/naming/")
            || name.startsWith("org/apache/logging/log4j/core/")
            || name.startsWith("com.sun.jndi.")
            || name.startsWith("javax.naming.")
            || name.startsWith("org.apache.logging.log4j.core.");
    return jndiPackage && ContextFrames.mayCount(name.replace('/', '.'));
  }

  /**
   * {@code bytes} with every counted method woven; null when none is. {@code jdk}: a class of the
   * JDK's loaders, which calls the gate (counted in and out); else the bridge's mark at entry.
   */
  static byte @Nullable [] weave(byte[] bytes, boolean jdk) {
    ClassReader reader = new ClassReader(bytes);
    String owner = reader.getClassName();
    String binary = owner.replace('/', '.');
    boolean[] any = new boolean[1];
    ClassWriter writer = new ClassWriter(reader, 0);
    reader.accept(
        new ClassVisitor(Opcodes.ASM9, writer) {
          @Override
          public @Nullable MethodVisitor visitMethod(
              int access,
              String name,
              String descriptor,
              @Nullable String signature,
              String @Nullable [] exceptions) {
            MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
            if ((access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0
                || !ContextFrames.counted(binary, name)) {
              return mv;
            }
            any[0] = true;
            return new FrameCode(mv, jdk, access, owner, name, descriptor);
          }
        },
        jdk ? ClassReader.EXPAND_FRAMES : 0);
    return any[0] ? writer.toByteArray() : null;
  }

  /** The count woven into one method (see the class comment). */
  private static final class FrameCode extends MethodVisitor {
    private final boolean jdk;
    private final boolean handled;
    private final Object[] declared;
    private final Label start = new Label();
    private final Label end = new Label();
    private final Label handler = new Label();

    FrameCode(
        MethodVisitor mv, boolean jdk, int access, String owner, String name, String descriptor) {
      super(Opcodes.ASM9, mv);
      this.jdk = jdk;
      this.handled = jdk && !name.equals("<init>");
      this.declared =
          FrameTypes.declared(
              (access & Opcodes.ACC_STATIC) != 0, owner, Type.getArgumentTypes(descriptor));
    }

    @Override
    public void visitCode() {
      super.visitCode();
      if (!jdk) {
        super.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "jndiFrame", "()V", false);
        return;
      }
      super.visitMethodInsn(Opcodes.INVOKESTATIC, Gate.INTERNAL_NAME, "jndiEnter", "()V", false);
      if (handled) {
        super.visitLabel(start); // after the count: a failed entry leaves nothing to lower
      }
    }

    @Override
    public void visitInsn(int opcode) {
      if (jdk && opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN) {
        super.visitMethodInsn(Opcodes.INVOKESTATIC, Gate.INTERNAL_NAME, "jndiExit", "()V", false);
      }
      super.visitInsn(opcode);
    }

    @Override
    public void visitMaxs(int maxStack, int maxLocals) {
      if (!handled) {
        super.visitMaxs(maxStack, maxLocals);
        return;
      }
      super.visitLabel(end);
      super.visitLabel(handler);
      super.visitFrame(
          Opcodes.F_NEW, declared.length, declared, 1, new Object[] {"java/lang/Throwable"});
      super.visitMethodInsn(Opcodes.INVOKESTATIC, Gate.INTERNAL_NAME, "jndiExit", "()V", false);
      super.visitInsn(Opcodes.ATHROW);
      super.visitTryCatchBlock(start, end, handler, null); // last: the method's own keep priority
      super.visitMaxs(Math.max(maxStack, 1), maxLocals);
    }
  }
}

package dev.tripline.agent.instrument;

import dev.tripline.agent.callsite.ContextFrames;
import dev.tripline.agent.gate.Gate;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;
import org.jspecify.annotations.Nullable;

/**
 * The per-thread count of context frames (issue 23): protect mode's blocking rules refuse a
 * connect, spawn or credential read for a frame of a {@link ContextFrames#COUNTED} category on the
 * stack (JNDI, deserialization, script/EL, XML entity), so a guarded call on a thread that provably
 * has none needs no stack walk (a walk next to a fork runs cold: ~50–120 µs). Every method whose
 * frame the built-in table ({@link ContextFrames#counted}) puts in those categories is woven here:
 *
 * <ul>
 *   <li>in a class of the JDK (boot or platform loader: {@code InitialContext.lookup}, the JNDI
 *       providers, {@code ObjectInputStream.readObject}, {@code XMLDecoder.readObject}, {@code
 *       javax.script}, the JDK's Xerces {@code XMLEntityManager}): {@code G.contextEnter()} as the
 *       first instruction, {@code G.contextExit()} before every return and in a catch-all handler
 *       that rethrows ({@code G} = the gate, which no application code can link to). A constructor
 *       has no handler (one covering its {@code super()} call cannot be verified): a constructor
 *       that throws leaves its count high — the thread's calls are walked from then on, which is
 *       safe;
 *   <li>in any other loader's class of a {@link ContextFrames#MARKED} category (log4j's {@code
 *       JndiManager} and {@code JndiLookup}, an application's {@code com.sun.jndi.*} provider): the
 *       public {@code TriplineBridge.jndiFrame()} at entry, which marks the thread for good (there
 *       is no public way to lower anything);
 *   <li>any other loader's class of another counted category (Jackson's deserializers, XStream,
 *       SnakeYAML, SpEL, OGNL, MVEL, EL, Groovy, Apache Xerces: hot code, not woven): loading it
 *       flags its categories in the whole JVM ({@link #libraryCategories}), and a call whose rules
 *       read one of them is walked from then on, on every thread.
 * </ul>
 *
 * A count that can miss is a count that leaks high: an exit that cannot run (a stack overflow in
 * the call) leaves it raised. A class that cannot be woven makes every count untrusted ({@link
 * #trusted()}): then every guarded call that reads contexts is walked, as before.
 */
public final class ContextCounts {
  private static final String BRIDGE = "dev/tripline/bootstrap/TriplineBridge";

  /** Every class with a counted frame starts with one of these (internal form). */
  private static final String[] PREFIXES = ContextFrames.countedPrefixes();

  private static final String[] BINARY_PREFIXES = binary(PREFIXES);

  /** False once a class with counted frames could not be woven (its frames would go uncounted). */
  private static volatile boolean trusted = true;

  /** The counted categories a library class of this JVM has (see the class comment). */
  private static final Set<String> library = ConcurrentHashMap.newKeySet();

  /** {@link #library} is not empty: one volatile read for the guarded calls. */
  private static volatile boolean libraryLoaded;

  private ContextCounts() {}

  private static String[] binary(String[] internal) {
    String[] out = new String[internal.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = internal[i].replace('/', '.');
    }
    return out;
  }

  /** Whether every class with counted frames loaded so far was woven. */
  public static boolean trusted() {
    return trusted;
  }

  /** A class with counted frames could not be woven: no count proves anything any more. */
  static void untrusted() {
    trusted = false;
  }

  /**
   * The counted categories (not {@link ContextFrames#MARKED}) of the library classes loaded in this
   * JVM: their frames are not counted, so a call whose rules read one of them walks.
   */
  public static Set<String> libraryCategories() {
    return library;
  }

  /** Whether a library class with uncounted context frames is loaded (Jackson, SpEL, Groovy…). */
  public static boolean libraryLoaded() {
    return libraryLoaded;
  }

  /**
   * Whether class {@code name} (internal or binary form) may have counted frames: the check every
   * class load passes, a few prefix tests for nearly all of them.
   */
  static boolean candidate(String name) {
    // no copy of the name: this runs for every class the JVM loads, and for every loaded class in
    // premain's scan (binary names there). A hidden class's name holds both separators; it cannot
    // be woven either way.
    String[] prefixes = name.indexOf('/') >= 0 ? PREFIXES : BINARY_PREFIXES;
    for (String p : prefixes) {
      if (name.startsWith(p)) {
        return !ContextFrames.mayCount(name.replace('/', '.')).isEmpty();
      }
    }
    return false;
  }

  /**
   * A library class (not the JDK's) with counted frames was loaded: its categories that are not
   * {@link ContextFrames#MARKED} are flagged for the JVM (see the class comment).
   */
  static void libraryLoaded(String name) {
    for (String c : ContextFrames.mayCount(name.replace('/', '.'))) {
      if (!ContextFrames.MARKED.contains(c)) {
        library.add(c);
        libraryLoaded = true;
      }
    }
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
            String category = ContextFrames.counted(binary, name);
            if ((access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0
                || category == null
                || (!jdk && !ContextFrames.MARKED.contains(category))) {
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
      super.visitMethodInsn(Opcodes.INVOKESTATIC, Gate.INTERNAL_NAME, "contextEnter", "()V", false);
      if (handled) {
        super.visitLabel(start); // after the count: a failed entry leaves nothing to lower
      }
    }

    @Override
    public void visitInsn(int opcode) {
      if (jdk && opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN) {
        super.visitMethodInsn(
            Opcodes.INVOKESTATIC, Gate.INTERNAL_NAME, "contextExit", "()V", false);
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
      super.visitMethodInsn(Opcodes.INVOKESTATIC, Gate.INTERNAL_NAME, "contextExit", "()V", false);
      super.visitInsn(Opcodes.ATHROW);
      super.visitTryCatchBlock(start, end, handler, null); // last: the method's own keep priority
      super.visitMaxs(Math.max(maxStack, 1), maxLocals);
    }
  }
}

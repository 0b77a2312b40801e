package dev.tripline.agent.instrument;

import dev.tripline.agent.gate.Gate;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;
import org.jspecify.annotations.Nullable;

/**
 * Wraps a JDK native method (JVMTI native method prefixing, {@code
 * Instrumentation.setNativeMethodPrefix}): the native is renamed {@code PREFIX + name} and a Java
 * method of the old name and descriptor calls it. The JVM links the renamed native to the old JNI
 * symbol by stripping the prefix, so the JDK's C code is untouched; every caller — the JDK's own
 * Java code, or a payload holding {@code IMPL_LOOKUP} — now passes through the wrapper.
 *
 * <p>Only a class the JVM defines after the agent started can be wrapped: retransforming a loaded
 * class may not add a method on JDK 13+ (HotSpot refuses unless {@code
 * -XX:+AllowRedefinitionToAddDeleteMethods}, deprecated), so {@link HookWeaver} leaves natives out
 * of a retransformation and the hook is listed as missing (docs/jdk-choke-points.md says which
 * classes that is on 17 and 25). The renamed native is made {@code final} when it is an instance
 * method, the shape HotSpot's compatibility mode would accept.
 *
 * <p>For {@link Hook.Style#NATIVE}:
 *
 * <pre>
 *   int[] d = G.enter();   // G: the bridge's gate in java.base ({@link Gate})
 *   try { r = PREFIX_name(args); } catch (Throwable t) { d[0]--; G.exit(d, id, a, b, n, t); throw t; }
 *   d[0]--; G.exit(d, id, a, b, n, null); return r;
 * </pre>
 *
 * (the counter lowered in line, as {@link HookCode} does and for the same reason)
 *
 * <p>and for {@link Hook.Style#NATIVE_LOAD} (no bracket: the library's {@code JNI_OnLoad} runs
 * inside, and the Java I/O it does must still report):
 *
 * <pre>
 *   try { r = PREFIX_name(args); } catch (Throwable t) { handoff(id, path, t); throw t; }
 *   if (r) handoff(id, path, null); return r;
 * </pre>
 */
final class NativeWrapper {
  /** What the agent prepends to a wrapped native's name; the JVM strips it to link the native. */
  static final String PREFIX = "$tripline$";

  private static final String EXIT =
      "([IILjava/lang/Object;Ljava/lang/Object;ILjava/lang/Throwable;)V";
  private static final String HANDOFF = "(ILjava/lang/Object;Ljava/lang/Object;)V";

  private final Hook hook;
  private final String owner;
  private final String name;
  private final String descriptor;
  private final boolean isStatic;
  private final Type[] params;
  private final Type returns;

  /** First slot after the parameters: the depth counter; then the result. */
  private final int depthSlot;

  private final int resultSlot;

  private NativeWrapper(Hook hook, String owner, int access, String name, String descriptor) {
    this.hook = hook;
    this.owner = owner;
    this.name = name;
    this.descriptor = descriptor;
    this.isStatic = (access & Opcodes.ACC_STATIC) != 0;
    this.params = Type.getArgumentTypes(descriptor);
    this.returns = Type.getReturnType(descriptor);
    int slots = isStatic ? 0 : 1;
    for (Type t : params) {
      slots += t.getSize();
    }
    this.depthSlot = slots;
    this.resultSlot = slots + 1;
  }

  /** Refuses a declaration that does not fit the native it matched. */
  static void check(Hook hook, int access, String descriptor) {
    if (hook.library) {
      throw new IllegalStateException(hook.name + ": a library's native cannot reach the gate");
    }
    if ((access & Opcodes.ACC_PRIVATE) == 0) {
      throw new IllegalStateException(hook.name + ": only a private native can be wrapped");
    }
    if (hook.style == Hook.Style.NATIVE_LOAD) {
      Type[] params = Type.getArgumentTypes(descriptor);
      if (Type.getReturnType(descriptor).getSort() != Type.BOOLEAN
          || params.length == 0
          || params[0].getSort() != Type.OBJECT
          || hook.a.index >= params.length
          || !"Ljava/lang/String;".equals(params[hook.a.index].getDescriptor())) {
        throw new IllegalStateException(hook.name + ": not a library load (Object, String…)Z");
      }
      return;
    }
    if (hook.a.source == Hook.Source.BOXED
        || hook.a.source == Hook.Source.ARGS
        || hook.b.source == Hook.Source.BOXED
        || hook.b.source == Hook.Source.ARGS) {
      throw new IllegalStateException(hook.name + ": a native's wrapper passes plain values");
    }
    HookCode.check(hook, access, descriptor);
  }

  /**
   * Writes the renamed native and its wrapper into {@code cv}; returns the visitor of the renamed
   * native (its annotations, if any, go there).
   */
  static MethodVisitor write(
      ClassVisitor cv,
      Hook hook,
      String owner,
      int access,
      String name,
      String descriptor,
      @Nullable String signature,
      String @Nullable [] exceptions) {
    NativeWrapper w = new NativeWrapper(hook, owner, access, name, descriptor);
    int renamed = w.isStatic ? access : access | Opcodes.ACC_FINAL;
    MethodVisitor nativeMethod =
        cv.visitMethod(renamed, PREFIX + name, descriptor, signature, exceptions);
    MethodVisitor body =
        cv.visitMethod(access & ~Opcodes.ACC_NATIVE, name, descriptor, signature, exceptions);
    if (hook.style == Hook.Style.NATIVE_LOAD) {
      w.load(body);
    } else {
      w.bracket(body);
    }
    return nativeMethod;
  }

  private void bracket(MethodVisitor mv) {
    Label start = new Label();
    Label end = new Label();
    Label handler = new Label();
    mv.visitCode();
    mv.visitTryCatchBlock(start, end, handler, null);
    mv.visitMethodInsn(Opcodes.INVOKESTATIC, Gate.INTERNAL_NAME, "enter", "()[I", false);
    mv.visitVarInsn(Opcodes.ASTORE, depthSlot);
    mv.visitLabel(start);
    callNative(mv);
    mv.visitLabel(end);
    if (returns.getSort() != Type.VOID) {
      mv.visitVarInsn(returns.getOpcode(Opcodes.ISTORE), resultSlot);
    }
    exit(mv, false);
    if (returns.getSort() != Type.VOID) {
      mv.visitVarInsn(returns.getOpcode(Opcodes.ILOAD), resultSlot);
    }
    mv.visitInsn(returns.getOpcode(Opcodes.IRETURN));
    mv.visitLabel(handler);
    Object[] locals = locals(true);
    mv.visitFrame(Opcodes.F_NEW, locals.length, locals, 1, new Object[] {"java/lang/Throwable"});
    mv.visitVarInsn(Opcodes.ASTORE, resultSlot);
    exit(mv, true);
    mv.visitVarInsn(Opcodes.ALOAD, resultSlot);
    mv.visitInsn(Opcodes.ATHROW);
    mv.visitMaxs(Math.max(8, argSlots() + 1), resultSlot + 2);
    mv.visitEnd();
  }

  private void load(MethodVisitor mv) {
    Label start = new Label();
    Label end = new Label();
    Label handler = new Label();
    Label done = new Label();
    mv.visitCode();
    mv.visitTryCatchBlock(start, end, handler, null);
    mv.visitLabel(start);
    callNative(mv);
    mv.visitLabel(end);
    mv.visitVarInsn(Opcodes.ISTORE, depthSlot); // the boolean result (no counter here)
    mv.visitVarInsn(Opcodes.ILOAD, depthSlot);
    mv.visitJumpInsn(Opcodes.IFEQ, done);
    push(mv, hook.id);
    mv.visitVarInsn(Opcodes.ALOAD, slotOf(hook.a.index));
    mv.visitInsn(Opcodes.ACONST_NULL); // the class it is loaded for: not known here
    mv.visitMethodInsn(Opcodes.INVOKESTATIC, Gate.INTERNAL_NAME, "handoff", HANDOFF, false);
    mv.visitLabel(done);
    Object[] withResult = append(locals(false), Opcodes.INTEGER);
    mv.visitFrame(Opcodes.F_NEW, withResult.length, withResult, 0, new Object[0]);
    mv.visitVarInsn(Opcodes.ILOAD, depthSlot);
    mv.visitInsn(Opcodes.IRETURN);
    mv.visitLabel(handler);
    Object[] locals = locals(false);
    mv.visitFrame(Opcodes.F_NEW, locals.length, locals, 1, new Object[] {"java/lang/Throwable"});
    mv.visitVarInsn(Opcodes.ASTORE, depthSlot);
    push(mv, hook.id);
    mv.visitVarInsn(Opcodes.ALOAD, slotOf(hook.a.index));
    mv.visitVarInsn(Opcodes.ALOAD, depthSlot);
    mv.visitMethodInsn(Opcodes.INVOKESTATIC, Gate.INTERNAL_NAME, "handoff", HANDOFF, false);
    mv.visitVarInsn(Opcodes.ALOAD, depthSlot);
    mv.visitInsn(Opcodes.ATHROW);
    mv.visitMaxs(Math.max(4, argSlots() + 1), depthSlot + 1);
    mv.visitEnd();
  }

  private void callNative(MethodVisitor mv) {
    int slot = 0;
    if (!isStatic) {
      mv.visitVarInsn(Opcodes.ALOAD, 0);
      slot = 1;
    }
    for (Type t : params) {
      mv.visitVarInsn(t.getOpcode(Opcodes.ILOAD), slot);
      slot += t.getSize();
    }
    mv.visitMethodInsn(
        isStatic ? Opcodes.INVOKESTATIC : Opcodes.INVOKESPECIAL,
        owner,
        PREFIX + name,
        descriptor,
        false);
  }

  private void exit(MethodVisitor mv, boolean thrown) {
    mv.visitVarInsn(Opcodes.ALOAD, depthSlot);
    mv.visitInsn(Opcodes.DUP); // d[0]-- in line
    mv.visitInsn(Opcodes.ICONST_0);
    mv.visitInsn(Opcodes.DUP2);
    mv.visitInsn(Opcodes.IALOAD);
    mv.visitInsn(Opcodes.ICONST_1);
    mv.visitInsn(Opcodes.ISUB);
    mv.visitInsn(Opcodes.IASTORE);
    push(mv, hook.id);
    value(mv, hook.a, true, thrown);
    value(mv, hook.b, true, thrown);
    value(mv, hook.n, false, thrown);
    if (thrown) {
      mv.visitVarInsn(Opcodes.ALOAD, resultSlot);
    } else {
      mv.visitInsn(Opcodes.ACONST_NULL);
    }
    mv.visitMethodInsn(Opcodes.INVOKESTATIC, Gate.INTERNAL_NAME, "exit", EXIT, false);
  }

  private void value(MethodVisitor mv, Hook.Value v, boolean reference, boolean thrown) {
    switch (v.source) {
      case THIS:
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        return;
      case ARG:
        mv.visitVarInsn(params[v.index].getOpcode(Opcodes.ILOAD), slotOf(v.index));
        return;
      case RETURN:
        if (!thrown) {
          mv.visitVarInsn(returns.getOpcode(Opcodes.ILOAD), resultSlot);
          return;
        }
        break;
      default:
        break;
    }
    mv.visitInsn(reference ? Opcodes.ACONST_NULL : Opcodes.ICONST_0);
  }

  private int slotOf(int param) {
    int slot = isStatic ? 0 : 1;
    for (int i = 0; i < param; i++) {
      slot += params[i].getSize();
    }
    return slot;
  }

  private int argSlots() {
    return slotOf(params.length);
  }

  /** {@code this} and the parameters in frame form, then (bracket) the counter. */
  private Object[] locals(boolean bracket) {
    Object[] declared = FrameTypes.declared(isStatic, owner, params);
    return bracket ? append(declared, "[I") : declared;
  }

  private static Object[] append(Object[] a, Object last) {
    Object[] out = new Object[a.length + 1];
    System.arraycopy(a, 0, out, 0, a.length);
    out[a.length] = last;
    return out;
  }

  private static void push(MethodVisitor mv, int value) {
    if (value <= Short.MAX_VALUE) {
      mv.visitIntInsn(Opcodes.SIPUSH, value);
    } else {
      mv.visitLdcInsn(value);
    }
  }
}

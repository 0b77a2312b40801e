package dev.tripline.agent.instrument;

import dev.tripline.agent.gate.Gate;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

/**
 * The code woven into one hooked method. For an I/O hook of the JDK ({@code G} = the bridge's gate,
 * {@link Gate}, in {@code java.base}):
 *
 * <pre>
 *   int[] d = G.enter();
 *   try { original body; before each return: d[0]--; G.exit(d, id, a, b, n, null); }
 *   catch (Throwable t) { d[0]--; G.exit(d, id, a, b, n, t); throw t; }
 * </pre>
 *
 * The counter is lowered in line, not in the call: no call stands between the body and it, so a
 * {@code StackOverflowError} provoked just there loses one report but never leaves the thread
 * inside a bracket. A hand-off hook is one call of {@code G.handoff(id, a, null)} at entry; a probe
 * {@code d = G.enter(); d[0]--; G.exit(d, id, a, b, n, null)} at entry (reports when no hooked call
 * is around it); a library load ({@link Hook.Style#AFTER_LOAD}) the same try/catch as an I/O hook
 * but no counter: {@code handoff(id, this.path, result ? this.fromClass : FALSE)} before the return
 * and {@code handoff(id, this.path, t)} on a throw. The counter lives in a new local after the
 * method's own ones, declared in every stack-map frame, so no frame has to be recomputed (which
 * would mean loading classes inside a transformation).
 *
 * <p>A library's hook (woven into an application's loader, which cannot link to the gate) has no
 * counter: it calls the public {@code TriplineBridge.report(id, a, b, n, thrown)} where a JDK hook
 * would call {@code exit} (at entry for a hand-off or a probe), which reports and changes nothing.
 * A guarded library hook (protect mode) first calls {@code TriplineBridge.guard(id, a, b, n)}, the
 * bridge's counterpart of the gate's {@code guard}.
 */
final class HookCode extends MethodVisitor {
  private static final String BRIDGE = "dev/tripline/bootstrap/TriplineBridge";
  private static final String REPORT =
      "(ILjava/lang/Object;Ljava/lang/Object;ILjava/lang/Throwable;)V";
  private static final String EXIT =
      "([IILjava/lang/Object;Ljava/lang/Object;ILjava/lang/Throwable;)V";
  private static final String HANDOFF = "(ILjava/lang/Object;Ljava/lang/Object;)V";
  private static final String GUARD = "(ILjava/lang/Object;Ljava/lang/Object;I)V";
  private static final String GUARD_ENTER = "(ILjava/lang/Object;Ljava/lang/Object;I)[I";

  private final Hook hook;
  private final boolean isStatic;
  private final Type[] params;
  private final Type returns;
  private final String owner;
  private final int depthSlot;
  private final int tempSlot;
  private final Label start = new Label();
  private final Label end = new Label();
  private final Label handler = new Label();

  HookCode(
      MethodVisitor mv, Hook hook, int access, String owner, String descriptor, int maxLocals) {
    super(Opcodes.ASM9, mv);
    this.hook = hook;
    this.isStatic = (access & Opcodes.ACC_STATIC) != 0;
    this.params = Type.getArgumentTypes(descriptor);
    this.returns = Type.getReturnType(descriptor);
    this.owner = owner;
    this.depthSlot = maxLocals;
    this.tempSlot = maxLocals + 1;
  }

  /**
   * Refuses a declaration that does not fit the method it matched (a wrong index or type in a Hook
   * row).
   */
  static void check(Hook hook, int access, String descriptor) {
    Type[] params = Type.getArgumentTypes(descriptor);
    Type returns = Type.getReturnType(descriptor);
    boolean isStatic = (access & Opcodes.ACC_STATIC) != 0;
    checkValue(hook, hook.a, true, params, returns, isStatic);
    checkValue(hook, hook.b, true, params, returns, isStatic);
    checkValue(hook, hook.n, false, params, returns, isStatic);
    if ((hook.scoped || hook.inner)
        && (hook.style != Hook.Style.BRACKET || hook.scoped == hook.inner)
        && !(hook.inner && hook.style == Hook.Style.PROBE)) {
      throw new IllegalStateException(
          hook.name + ": scoped or inner, a plain bracket (or an inner probe)");
    }
    if (hook.refusal != null
        && (hook.inner || hook.style != Hook.Style.BRACKET || (hook.library && hook.scoped))) {
      throw new IllegalStateException(hook.name + ": only a plain bracket refuses at its entry");
    }
    if (hook.handoff
        && (hook.a.source == Hook.Source.RETURN || hook.n.source != Hook.Source.NONE)) {
      throw new IllegalStateException(hook.name + ": a hand-off hook passes arguments only");
    }
    if (hook.style == Hook.Style.PROBE
        && (hook.a.source == Hook.Source.RETURN
            || hook.b.source == Hook.Source.RETURN
            || hook.n.source == Hook.Source.RETURN
            || hook.a.source == Hook.Source.THIS
            || hook.b.source == Hook.Source.THIS)) {
      throw new IllegalStateException(hook.name + ": a probe passes arguments only");
    }
    if (hook.style == Hook.Style.REQUEST
        && hook.a.source != Hook.Source.ARG
        && hook.a.source != Hook.Source.THIS) {
      throw new IllegalStateException(hook.name + ": a request's scope passes an argument or this");
    }
    if (hook.style == Hook.Style.AFTER_LOAD
        && (isStatic || returns.getSort() != Type.BOOLEAN || hook.pathField == null)) {
      throw new IllegalStateException(hook.name + ": a library load is an instance method ()Z");
    }
  }

  private static void checkValue(
      Hook hook, Hook.Value v, boolean reference, Type[] params, Type returns, boolean isStatic) {
    Type t;
    switch (v.source) {
      case NONE:
        return;
      case THIS:
        if (isStatic || !reference) {
          throw new IllegalStateException(hook.name + ": 'this' of a static method, or as n");
        }
        return;
      case FIELD:
        boolean readsThis = v.index < 0 || v.nullReadsThis;
        if ((readsThis && isStatic) || v.index >= params.length) {
          throw new IllegalStateException(hook.name + ": no object to read " + v.fieldName + " of");
        }
        if (v.index >= 0
            && (v.index >= params.length
                || !params[v.index].getInternalName().equals(v.fieldOwner))) {
          throw new IllegalStateException(
              hook.name + ": argument " + v.index + " is no " + v.fieldOwner);
        }
        if (v.bitField != null && (reference || v.nullReadsThis || !"Z".equals(v.fieldType))) {
          throw new IllegalStateException(hook.name + ": flags are two booleans as n");
        }
        t = Type.getType(v.fieldType);
        break;
      case ARG:
        if (v.index >= params.length) {
          throw new IllegalStateException(hook.name + ": no argument " + v.index);
        }
        t = params[v.index];
        break;
      case BOXED:
        if (!reference || v.index >= params.length || params[v.index].getSort() != Type.INT) {
          throw new IllegalStateException(hook.name + ": boxed, an int argument as an object");
        }
        return;
      case ARGS:
        if (!reference) {
          throw new IllegalStateException(hook.name + ": an argument array is an object");
        }
        for (int i : v.indexes) {
          int sort = i < params.length ? params[i].getSort() : -1;
          if (sort != Type.INT && sort != Type.OBJECT && sort != Type.ARRAY) {
            throw new IllegalStateException(hook.name + ": argument " + i + " is no int or object");
          }
        }
        return;
      default:
        t = returns;
    }
    boolean isReference = t.getSort() == Type.OBJECT || t.getSort() == Type.ARRAY;
    boolean isInt = t.getSort() >= Type.BOOLEAN && t.getSort() <= Type.INT;
    if (reference ? !isReference : !isInt) {
      throw new IllegalStateException(
          hook.name
              + ": "
              + v.source
              + " is "
              + t
              + ", not "
              + (reference ? "an object" : "an int"));
    }
  }

  @Override
  public void visitCode() {
    super.visitCode();
    if (hook.library && (hook.handoff || hook.style == Hook.Style.PROBE)) {
      // before any use of this (a constructor's super() has not run): arguments only
      report(false);
      return;
    }
    if (hook.handoff) {
      push(hook.id);
      pushValue(hook.a, true, false);
      super.visitInsn(Opcodes.ACONST_NULL);
      super.visitMethodInsn(Opcodes.INVOKESTATIC, Gate.INTERNAL_NAME, "handoff", HANDOFF, false);
      return;
    }
    if (hook.style == Hook.Style.PROBE) {
      // before any use of this (a constructor's super() has not run): arguments only
      super.visitMethodInsn(Opcodes.INVOKESTATIC, Gate.INTERNAL_NAME, "enter", "()[I", false);
      lower(0);
      push(hook.id);
      pushValue(hook.a, true, false);
      pushValue(hook.b, true, false);
      pushValue(hook.n, false, false);
      super.visitInsn(Opcodes.ACONST_NULL);
      super.visitMethodInsn(
          Opcodes.INVOKESTATIC, Gate.INTERNAL_NAME, hook.inner ? "exitInner" : "exit", EXIT, false);
      return;
    }
    if (hook.style == Hook.Style.REQUEST) {
      request(true);
    }
    if (hook.style == Hook.Style.AFTER_LOAD || hook.style == Hook.Style.REQUEST || hook.library) {
      if (hook.refusal != null) {
        guard(BRIDGE); // a library bracket (check): nothing was woven before it
      }
      super.visitInsn(Opcodes.ACONST_NULL); // no counter: the frames still declare its slot
    } else if (hook.refusal != null) {
      // the entry decision and the counter in one call: one thread-local read per guarded call
      push(hook.id);
      entryValue(hook.a, true);
      entryValue(hook.b, true);
      entryValue(hook.n, false);
      super.visitMethodInsn(
          Opcodes.INVOKESTATIC,
          Gate.INTERNAL_NAME,
          hook.scoped ? "guardEnterScope" : "guardEnter",
          GUARD_ENTER,
          false);
    } else {
      super.visitMethodInsn(
          Opcodes.INVOKESTATIC,
          Gate.INTERNAL_NAME,
          hook.scoped ? "enterScope" : "enter",
          "()[I",
          false);
    }
    super.visitVarInsn(Opcodes.ASTORE, depthSlot);
    super.visitLabel(start);
  }

  @Override
  public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stack) {
    if (hook.atEntry() || type != Opcodes.F_NEW) {
      super.visitFrame(type, numLocal, local, numStack, stack);
      return;
    }
    Object[] locals = withCounter(local, numLocal);
    super.visitFrame(type, locals.length, locals, numStack, stack);
  }

  @Override
  public void visitInsn(int opcode) {
    if (!hook.atEntry() && opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN) {
      exit(false);
    }
    super.visitInsn(opcode);
  }

  @Override
  public void visitMaxs(int maxStack, int maxLocals) {
    if (hook.atEntry()) {
      super.visitMaxs(maxStack + 8, maxLocals);
      return;
    }
    super.visitLabel(end);
    super.visitLabel(handler);
    Object[] locals = withCounter(FrameTypes.declared(isStatic, owner, params), -1);
    super.visitFrame(Opcodes.F_NEW, locals.length, locals, 1, new Object[] {"java/lang/Throwable"});
    super.visitVarInsn(Opcodes.ASTORE, tempSlot);
    exit(true);
    super.visitVarInsn(Opcodes.ALOAD, tempSlot);
    super.visitInsn(Opcodes.ATHROW);
    super.visitTryCatchBlock(
        start, end, handler, null); // last: the method's own handlers keep priority
    super.visitMaxs(maxStack + 10, Math.max(maxLocals, tempSlot + 1));
  }

  /**
   * {@code d[k]--; G.exit(d, id, a, b, n, thrown)} (a library's: {@code TriplineBridge.report(id,
   * a, b, n, thrown)}); on a return, the value returned stays on the stack.
   */
  private void exit(boolean thrown) {
    if (hook.style == Hook.Style.AFTER_LOAD) {
      afterLoad(thrown);
      return;
    }
    if (hook.style == Hook.Style.REQUEST) {
      request(false);
      return;
    }
    if (hook.library) {
      report(thrown);
      return;
    }
    boolean needsReturn =
        !thrown
            && (hook.a.source == Hook.Source.RETURN
                || hook.b.source == Hook.Source.RETURN
                || hook.n.source == Hook.Source.RETURN);
    if (needsReturn) {
      super.visitInsn(Opcodes.DUP);
      super.visitVarInsn(returns.getOpcode(Opcodes.ISTORE), tempSlot);
    }
    super.visitVarInsn(Opcodes.ALOAD, depthSlot);
    lower(hook.scoped ? 1 : 0);
    push(hook.id);
    pushValue(hook.a, true, thrown);
    pushValue(hook.b, true, thrown);
    pushValue(hook.n, false, thrown);
    if (thrown) {
      super.visitVarInsn(Opcodes.ALOAD, tempSlot);
    } else {
      super.visitInsn(Opcodes.ACONST_NULL);
    }
    super.visitMethodInsn(
        Opcodes.INVOKESTATIC,
        Gate.INTERNAL_NAME,
        hook.scoped ? "exitScope" : hook.inner ? "exitInner" : "exit",
        EXIT,
        false);
  }

  /**
   * Protect mode: a guarded JDK hook calls {@code d = G.guardEnter(id, a, b, n)} (or {@code
   * guardEnterScope}) in place of {@code enter}: a refusal it throws leaves no bracket open and
   * happens before the method's first instruction (before any I/O). A return value is not known
   * yet: null, or 1 for an int ("it will happen": a delete's, a connect's). A library's hook calls
   * the bridge's public {@code guard} ({@code owner}), which takes guarded library hooks only.
   */
  private void guard(String owner) {
    push(hook.id);
    entryValue(hook.a, true);
    entryValue(hook.b, true);
    entryValue(hook.n, false);
    super.visitMethodInsn(Opcodes.INVOKESTATIC, owner, "guard", GUARD, false);
  }

  private void entryValue(Hook.Value v, boolean reference) {
    if (v.source == Hook.Source.RETURN) {
      super.visitInsn(reference ? Opcodes.ACONST_NULL : Opcodes.ICONST_1);
    } else {
      pushValue(v, reference, false);
    }
  }

  /**
   * A request's scope opens ({@code entry}) or closes: {@code TriplineBridge.report(id, a, null,
   * entry ? entryToken : exitToken, null)} for a library (the tokens prove the caller: {@link
   * Hook#entryToken}), {@code G.handoff(id, a, entry ? TRUE : FALSE)} for the JDK's server. Nothing
   * on the stack is touched (a return value stays where it is).
   */
  private void request(boolean entry) {
    push(hook.id);
    pushValue(hook.a, true, false);
    if (hook.library) {
      super.visitInsn(Opcodes.ACONST_NULL);
      push(hook.provesScope() ? (entry ? hook.entryToken : hook.exitToken) : entry ? 1 : 0);
      super.visitInsn(Opcodes.ACONST_NULL);
      super.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "report", REPORT, false);
    } else {
      super.visitFieldInsn(
          Opcodes.GETSTATIC, "java/lang/Boolean", entry ? "TRUE" : "FALSE", "Ljava/lang/Boolean;");
      super.visitMethodInsn(Opcodes.INVOKESTATIC, Gate.INTERNAL_NAME, "handoff", HANDOFF, false);
    }
  }

  /**
   * {@code d[k]--} on the counter at the top of the stack, which stays there: branch-free and
   * call-free (see the class comment).
   */
  private void lower(int k) {
    super.visitInsn(Opcodes.DUP);
    super.visitInsn(k == 0 ? Opcodes.ICONST_0 : Opcodes.ICONST_1);
    super.visitInsn(Opcodes.DUP2);
    super.visitInsn(Opcodes.IALOAD);
    super.visitInsn(Opcodes.ICONST_1);
    super.visitInsn(Opcodes.ISUB);
    super.visitInsn(Opcodes.IASTORE);
  }

  /**
   * A library hook's {@code TriplineBridge.report(id, a, b, n, thrown)}: public, and powerless (no
   * counter). On a return, the value returned stays on the stack.
   */
  private void report(boolean thrown) {
    boolean needsReturn =
        !thrown
            && (hook.a.source == Hook.Source.RETURN
                || hook.b.source == Hook.Source.RETURN
                || hook.n.source == Hook.Source.RETURN);
    if (needsReturn) {
      super.visitInsn(Opcodes.DUP);
      super.visitVarInsn(returns.getOpcode(Opcodes.ISTORE), tempSlot);
    }
    push(hook.id);
    pushValue(hook.a, true, thrown);
    pushValue(hook.handoff ? Hook.Value.NONE : hook.b, true, thrown);
    if (hook.handoff && hook.provesScope()) {
      push(hook.entryToken); // WebFlux's route: names the request the scope attributes
    } else {
      pushValue(hook.handoff ? Hook.Value.NONE : hook.n, false, thrown);
    }
    if (thrown) {
      super.visitVarInsn(Opcodes.ALOAD, tempSlot);
    } else {
      super.visitInsn(Opcodes.ACONST_NULL);
    }
    super.visitMethodInsn(Opcodes.INVOKESTATIC, BRIDGE, "report", REPORT, false);
  }

  /**
   * {@code handoff(id, this.path, thrown ? t : new Object[] {FALSE, this.fromClass}[result])}:
   * branch-free, so no stack-map frame is needed at the return (whose locals this visitor does not
   * know). A library load is rare: the two-slot array costs nothing that matters.
   */
  private void afterLoad(boolean thrown) {
    if (!thrown) {
      super.visitInsn(Opcodes.DUP);
      super.visitVarInsn(Opcodes.ISTORE, tempSlot);
    }
    push(hook.id);
    super.visitVarInsn(Opcodes.ALOAD, 0);
    super.visitFieldInsn(Opcodes.GETFIELD, owner, hook.pathField, "Ljava/lang/String;");
    if (thrown) {
      super.visitVarInsn(Opcodes.ALOAD, tempSlot);
    } else {
      super.visitInsn(Opcodes.ICONST_2);
      super.visitTypeInsn(Opcodes.ANEWARRAY, "java/lang/Object");
      super.visitInsn(Opcodes.DUP);
      super.visitInsn(Opcodes.ICONST_0);
      super.visitFieldInsn(Opcodes.GETSTATIC, "java/lang/Boolean", "FALSE", "Ljava/lang/Boolean;");
      super.visitInsn(Opcodes.AASTORE);
      super.visitInsn(Opcodes.DUP);
      super.visitInsn(Opcodes.ICONST_1);
      if (hook.loaderField != null) {
        super.visitVarInsn(Opcodes.ALOAD, 0);
        super.visitFieldInsn(Opcodes.GETFIELD, owner, hook.loaderField, "Ljava/lang/Class;");
      } else {
        super.visitInsn(Opcodes.ACONST_NULL);
      }
      super.visitInsn(Opcodes.AASTORE);
      super.visitVarInsn(Opcodes.ILOAD, tempSlot);
      super.visitInsn(Opcodes.AALOAD);
    }
    super.visitMethodInsn(Opcodes.INVOKESTATIC, Gate.INTERNAL_NAME, "handoff", HANDOFF, false);
  }

  private void pushValue(Hook.Value v, boolean reference, boolean thrown) {
    switch (v.source) {
      case THIS:
        super.visitVarInsn(Opcodes.ALOAD, 0);
        return;
      case ARG:
        super.visitVarInsn(params[v.index].getOpcode(Opcodes.ILOAD), slotOf(v.index));
        return;
      case FIELD:
        if (v.index < 0) {
          super.visitVarInsn(Opcodes.ALOAD, 0);
        } else {
          super.visitVarInsn(Opcodes.ALOAD, slotOf(v.index));
          if (v.nullReadsThis) {
            // branch-free (no stack-map frame at a return): Objects.requireNonNullElse(arg, this)
            super.visitVarInsn(Opcodes.ALOAD, 0);
            super.visitMethodInsn(
                Opcodes.INVOKESTATIC,
                "java/util/Objects",
                "requireNonNullElse",
                "(Ljava/lang/Object;Ljava/lang/Object;)Ljava/lang/Object;",
                false);
            super.visitTypeInsn(Opcodes.CHECKCAST, v.fieldOwner);
          }
        }
        super.visitFieldInsn(Opcodes.GETFIELD, v.fieldOwner, v.fieldName, v.fieldType);
        if (v.bitField != null) {
          super.visitVarInsn(Opcodes.ALOAD, v.index < 0 ? 0 : slotOf(v.index));
          super.visitFieldInsn(Opcodes.GETFIELD, v.fieldOwner, v.bitField, "Z");
          super.visitInsn(Opcodes.ICONST_1);
          super.visitInsn(Opcodes.ISHL);
          super.visitInsn(Opcodes.IOR);
        }
        return;
      case RETURN:
        if (!thrown) {
          super.visitVarInsn(returns.getOpcode(Opcodes.ILOAD), tempSlot);
          return;
        }
        break; // nothing was returned: the default below
      case BOXED:
        super.visitVarInsn(Opcodes.ILOAD, slotOf(v.index));
        boxInt();
        return;
      case ARGS:
        push(v.indexes.length);
        super.visitTypeInsn(Opcodes.ANEWARRAY, "java/lang/Object");
        for (int i = 0; i < v.indexes.length; i++) {
          super.visitInsn(Opcodes.DUP);
          push(i);
          Type t = params[v.indexes[i]];
          super.visitVarInsn(t.getOpcode(Opcodes.ILOAD), slotOf(v.indexes[i]));
          if (t.getSort() == Type.INT) {
            boxInt();
          }
          super.visitInsn(Opcodes.AASTORE);
        }
        return;
      default:
        break;
    }
    super.visitInsn(reference ? Opcodes.ACONST_NULL : Opcodes.ICONST_0);
  }

  private void boxInt() {
    super.visitMethodInsn(
        Opcodes.INVOKESTATIC, "java/lang/Integer", "valueOf", "(I)Ljava/lang/Integer;", false);
  }

  private void push(int value) {
    if (value >= Short.MIN_VALUE && value <= Short.MAX_VALUE) {
      super.visitIntInsn(Opcodes.SIPUSH, value);
    } else {
      super.visitLdcInsn(value);
    }
  }

  private int slotOf(int param) {
    int slot = isStatic ? 0 : 1;
    for (int i = 0; i < param; i++) {
      slot += params[i].getSize();
    }
    return slot;
  }

  /** The frame's locals, padded with TOP up to the counter's slot, then the counter. */
  private Object[] withCounter(Object[] local, int count) {
    int n = count < 0 ? local.length : count;
    Object[] out = new Object[n + depthSlot + 1];
    int entries = 0;
    int slots = 0;
    for (int i = 0; i < n; i++) {
      out[entries++] = local[i];
      slots += local[i] == Opcodes.LONG || local[i] == Opcodes.DOUBLE ? 2 : 1;
    }
    while (slots < depthSlot) {
      out[entries++] = Opcodes.TOP;
      slots++;
    }
    out[entries++] = "[I";
    Object[] exact = new Object[entries];
    System.arraycopy(out, 0, exact, 0, entries);
    return exact;
  }
}

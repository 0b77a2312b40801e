package dev.tripline.agent.instrument;

import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

/**
 * A value's type as a stack map frame names it (ASM's encoding): what the woven code's own frames
 * (a hook's handler, a native wrapper, a JNDI frame's catch-all) declare for a method's arguments.
 */
final class FrameTypes {
  private FrameTypes() {}

  /** {@code this} (unless static) and the parameters, in frame form: what a handler may rely on. */
  static Object[] declared(boolean isStatic, String owner, Type[] params) {
    Object[] out = new Object[params.length + (isStatic ? 0 : 1)];
    int i = 0;
    if (!isStatic) {
      out[i++] = owner;
    }
    for (Type t : params) {
      out[i++] = of(t);
    }
    return out;
  }

  static Object of(Type t) {
    switch (t.getSort()) {
      case Type.BOOLEAN:
      case Type.BYTE:
      case Type.CHAR:
      case Type.SHORT:
      case Type.INT:
        return Opcodes.INTEGER;
      case Type.FLOAT:
        return Opcodes.FLOAT;
      case Type.LONG:
        return Opcodes.LONG;
      case Type.DOUBLE:
        return Opcodes.DOUBLE;
      default:
        return t.getInternalName();
    }
  }
}

package dev.tripline.agent.instrument;

import dev.tripline.agent.gate.Gate;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.jspecify.annotations.Nullable;

/**
 * Weaves the hooks into the handful of JDK (and library) classes that carry them, from a plain
 * {@link ClassFileTransformer}: one map lookup for every other class the JVM loads, and for a
 * hooked class two passes of ASM (the one bundled, relocated, with ByteBuddy) that copy every other
 * method untouched. No ByteBuddy {@code AgentBuilder}, type pool or advice parsing: those cost most
 * of a second of start-up for twenty methods (docs/benchmarks.md).
 */
final class HookWeaver implements ClassFileTransformer {
  private static final ClassLoader PLATFORM = ClassLoader.getPlatformClassLoader();
  private static final String BRIDGE = "dev.tripline.bootstrap.TriplineBridge";

  private final Map<String, List<Hook>> byOwner = new HashMap<>();
  private final Map<String, String> failures = new ConcurrentHashMap<>();

  /** Null in tests that weave class bytes without a JVM's instrumentation. */
  private final @Nullable Instrumentation inst;

  /**
   * Whether native methods may be wrapped: the JVM took this transformer's prefix ({@link
   * NativeWrapper#PREFIX}); without it no native hook matches and each is listed as missing.
   */
  private volatile boolean wrapNatives;

  HookWeaver(List<Hook> hooks, @Nullable Instrumentation inst) {
    this.inst = inst;
    // Loaded (and its table parsed) before this transformer is added: loading it from inside
    // transform would run transform again for its own class (a duplicate class definition).
    ContextCounts.candidate("com/sun/jndi/url/");
    for (Hook h : hooks) {
      // no lambda: this runs in premain, where spinning one costs more than the loop
      List<Hook> owned = byOwner.get(h.owner);
      if (owned == null) {
        owned = new ArrayList<>();
        byOwner.put(h.owner, owned);
      }
      owned.add(h);
    }
  }

  @Override
  public byte @Nullable [] transform(
      @Nullable ClassLoader loader,
      @Nullable String className,
      @Nullable Class<?> redefined,
      @Nullable ProtectionDomain domain,
      byte[] bytes) {
    return transform(null, loader, className, redefined, domain, bytes);
  }

  @Override
  public byte @Nullable [] transform(
      @Nullable Module module,
      @Nullable ClassLoader loader,
      @Nullable String className,
      @Nullable Class<?> redefined,
      @Nullable ProtectionDomain domain,
      byte[] bytes) {
    if (className == null) {
      return null;
    }
    List<Hook> hooks = byOwner.get(className);
    boolean frames = ContextCounts.candidate(className);
    if (hooks == null && !frames) {
      return null;
    }
    byte[] hooked =
        hooks == null ? null : hooked(hooks, module, loader, className, redefined, bytes);
    return frames ? contextCounts(module, loader, className, bytes, hooked) : hooked;
  }

  /**
   * The context frame count woven into {@code bytes} (after the hooks, if any): a JDK class counts
   * through the gate, a library's JNDI class marks through the bridge, any other library class
   * flags its categories ({@link ContextCounts}). A class that cannot be woven leaves every count
   * untrusted (guarded calls are walked again), and is listed with the failures.
   */
  private byte @Nullable [] contextCounts(
      @Nullable Module module,
      @Nullable ClassLoader loader,
      String className,
      byte[] bytes,
      byte @Nullable [] hooked) {
    boolean jdk = loader == null || loader == PLATFORM;
    if (!jdk) {
      ContextCounts.libraryLoaded(className);
    }
    try {
      if (jdk) {
        exportGate(module);
      } else {
        readBridge(module);
      }
      byte[] woven = ContextCounts.weave(hooked == null ? bytes : hooked, jdk);
      return woven == null ? hooked : woven;
    } catch (Throwable e) {
      ContextCounts.untrusted();
      failures.put(className + " (context frames)", e.toString());
      return hooked;
    }
  }

  private byte @Nullable [] hooked(
      List<Hook> hooks,
      @Nullable Module module,
      @Nullable ClassLoader loader,
      String className,
      @Nullable Class<?> redefined,
      byte[] bytes) {
    boolean library = hooks.get(0).library;
    if (!library && loader != null && loader != PLATFORM) {
      // a JDK hook is woven into the JDK's own class only, never an application's namesake
      return null;
    }
    try {
      if (library) {
        if (hooks.get(0).isUncovered()) {
          return null; // a transport we cannot see: now loaded, the heartbeat lists it
        }
        readBridge(module);
      } else {
        exportGate(module);
      }
      // a loaded class cannot gain the wrapper's renamed native (JDK 13+): its natives stay
      // unwrapped, and its Java hooks are still woven
      return weave(bytes, hooks, wrapNatives && redefined == null);
    } catch (Throwable e) {
      failures.put(
          className,
          e.toString()); // the class loads unhooked; the heartbeat lists its hooks as missing
      return null;
    } finally {
      // present once woven (or failed): a heartbeat taken while the class is being woven must not
      // list its hooks as missing (applied is set by weave, before this)
      for (Hook h : hooks) {
        h.present = true;
      }
    }
  }

  /**
   * A library in a named module (on the module path) must read the bridge's module (the boot
   * loader's unnamed one) before its woven code can call it; the class path's unnamed module reads
   * every module already.
   */
  private void readBridge(@Nullable Module module) throws ClassNotFoundException {
    if (module == null || !module.isNamed() || inst == null) {
      return;
    }
    Module bridge = Class.forName(BRIDGE, false, null).getModule();
    if (!module.canRead(bridge)) {
      inst.redefineModule(module, Set.of(bridge), Map.of(), Map.of(), Set.of(), Map.of());
    }
  }

  /**
   * A JDK module other than {@code java.base} (java.net.http, jdk.naming.dns) must be able to link
   * to the gate before its woven code runs: the gate's package is exported to it, and to no other
   * module than those woven (and the agent's).
   */
  private void exportGate(@Nullable Module module) {
    if (module == null || !module.isNamed() || inst == null) {
      return;
    }
    Module javaBase = Object.class.getModule();
    String gatePackage = Gate.packageName();
    if (module != javaBase && !javaBase.isExported(gatePackage, module)) {
      inst.redefineModule(
          javaBase, Set.of(), Map.of(gatePackage, Set.of(module)), Map.of(), Set.of(), Map.of());
    }
  }

  Map<String, String> failures() {
    return failures;
  }

  /** Registers the native prefix (the transformer must be added already); false if unsupported. */
  boolean enableNativeWrappers() {
    if (inst == null || !inst.isNativeMethodPrefixSupported()) {
      return false;
    }
    inst.setNativeMethodPrefix(this, NativeWrapper.PREFIX);
    wrapNatives = true;
    return true;
  }

  /** As the JVM would weave it with native prefixing available. */
  static byte @Nullable [] weave(byte[] bytes, List<Hook> hooks) {
    return weave(bytes, hooks, true);
  }

  /** The class with every matching hook woven in; hooks that matched are marked applied. */
  static byte @Nullable [] weave(byte[] bytes, List<Hook> hooks, boolean wrapNatives) {
    ClassReader reader = new ClassReader(bytes);
    Map<Hook, Integer> found = maxLocals(reader, hooks, wrapNatives);
    if (found.isEmpty()) {
      return null;
    }
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
            Hook hook =
                (access & Opcodes.ACC_BRIDGE) != 0 ? null : match(hooks, access, name, descriptor);
            Integer locals = hook == null ? null : found.get(hook);
            if (hook == null || locals == null) {
              return super.visitMethod(access, name, descriptor, signature, exceptions);
            }
            if (hook.isNative()) {
              return NativeWrapper.write(
                  cv, hook, reader.getClassName(), access, name, descriptor, signature, exceptions);
            }
            MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
            return new HookCode(mv, hook, access, reader.getClassName(), descriptor, locals);
          }
        },
        ClassReader.EXPAND_FRAMES);
    byte[] out = writer.toByteArray();
    for (Hook h : found.keySet()) {
      h.applied = true;
    }
    return out;
  }

  /**
   * First pass: the methods to hook (with code) and their max locals, where the hook keeps its
   * depth counter.
   */
  private static Map<Hook, Integer> maxLocals(
      ClassReader reader, List<Hook> hooks, boolean wrapNatives) {
    Map<Hook, Integer> found = new HashMap<>();
    reader.accept(
        new ClassVisitor(Opcodes.ASM9) {
          @Override
          public @Nullable MethodVisitor visitMethod(
              int access,
              String name,
              String descriptor,
              @Nullable String signature,
              String @Nullable [] exceptions) {
            Hook hook = match(hooks, access, name, descriptor);
            if (hook != null && hook.isNative()) {
              if (wrapNatives) {
                NativeWrapper.check(hook, access, descriptor);
                found.put(hook, -1); // a native has no code: the wrapper is written whole
              }
              return null;
            }
            if (hook == null
                || (access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE | Opcodes.ACC_BRIDGE))
                    != 0) {
              return null;
            }
            HookCode.check(hook, access, descriptor);
            return new MethodVisitor(Opcodes.ASM9) {
              @Override
              public void visitMaxs(int maxStack, int maxLocals) {
                found.put(hook, maxLocals);
              }
            };
          }
        },
        ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
    return found;
  }

  /** The hook of a method: a native hook matches only a native method, any other only Java code. */
  private static @Nullable Hook match(
      List<Hook> hooks, int access, String name, String descriptor) {
    boolean isNative = (access & Opcodes.ACC_NATIVE) != 0;
    for (Hook h : hooks) {
      if (h.method.equals(name)
          && descriptor.startsWith(h.parameters)
          && h.isNative() == isNative) {
        return h;
      }
    }
    return null;
  }
}

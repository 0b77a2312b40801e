package dev.tripline.agent;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Defines the bridge's gate ({@code dev.tripline.bootstrap.TriplineGate}, the brackets and the
 * dispatcher the woven JDK code calls) into a package of {@code java.base} that the application
 * cannot reach, at {@code premain}: its bytes renamed into that package when the jar is built
 * ({@link #main}), defined by the boot loader right after the bridge, by the same throwaway definer
 * ({@code TriplineAgent.defineInBootLoader}; the boot loader puts a class of a {@code java.base}
 * package into {@code java.base}). Only if that fails is it defined here, with a private lookup on
 * one of the package's own classes, the package opened for that to a throwaway loader's module
 * alone (nothing keeps the loader). Either way the package is exported afterwards only to the
 * agent's module and, as they are woven, to the JDK modules whose classes carry hooks ({@code
 * HookWeaver}). An application's code links to it nowhere: no export to any unnamed module, no
 * opening left behind.
 */
final class TriplineAgentGate {
  /** The gate as compiled (module agent-bootstrap). */
  static final String SOURCE = "dev/tripline/bootstrap/TriplineGate";

  /**
   * Where the gate goes, first that exists: a package of {@code java.base} exported to one JDK
   * module at most and rarely opened by a command line; each with a class of it to get a lookup on.
   * {@code jdk.internal.event} (JFR's events, JDK 12+), else {@code jdk.internal.vm} (JDK 11). The
   * agent's module finds the gate again by the same list ({@code gate.Gate}).
   */
  static final String[][] PACKAGES = {
    {"jdk.internal.event", "jdk.internal.event.Event"},
    {"jdk.internal.vm", "jdk.internal.vm.VMSupport"},
  };

  static final String NAME = "TriplineGate";

  private TriplineAgentGate() {}

  /**
   * Defines the gate (unless premain's boot definer or an earlier attach did) and returns its
   * class. The bridge classes are in the boot loader by now: {@code java.base} is made to read
   * their module, which the gate links to.
   */
  static Class<?> define(Instrumentation inst, Module bridge) throws ReflectiveOperationException {
    Module javaBase = Object.class.getModule();
    for (String[] candidate : PACKAGES) {
      Class<?> anchor;
      try {
        anchor = Class.forName(candidate[1], false, null);
      } catch (ClassNotFoundException e) {
        continue; // not on this JDK
      }
      String name = candidate[0] + "." + NAME;
      try {
        return Class.forName(name, false, null); // an earlier attach defined it
      } catch (ClassNotFoundException e) {
        // define it below
      }
      byte[] bytes = renamedBytes(candidate[0]);
      Throwaway loader = new Throwaway();
      String definerName = TriplineAgentGate.class.getName() + "$Definer";
      Class<?> definer = loader.define(definerName, classBytes(definerName.replace('.', '/')));
      inst.redefineModule(
          javaBase,
          Set.of(bridge),
          Map.of(),
          Map.of(candidate[0], Set.of(loader.getUnnamedModule())),
          Set.of(),
          Map.of());
      try {
        return (Class<?>)
            definer.getMethod("define", Class.class, byte[].class).invoke(null, anchor, bytes);
      } catch (InvocationTargetException e) {
        throw new IllegalStateException("cannot define the bridge's gate: " + e.getCause(), e);
      }
    }
    throw new IllegalStateException("no package of java.base to hold the bridge's gate");
  }

  /**
   * The gate's binary name on this JDK (in the first of {@link #PACKAGES} that exists), or null.
   */
  static @Nullable String target() {
    for (String[] candidate : PACKAGES) {
      try {
        Class.forName(candidate[1], false, null);
        return candidate[0] + "." + NAME;
      } catch (ClassNotFoundException e) {
        // not on this JDK
      }
    }
    return null;
  }

  /**
   * Where the build stored the gate renamed into {@code pkg} ({@link #main}): start-up only reads
   * it, it does not rewrite a class file. Not a {@code .class} name: no class loader takes it for a
   * class.
   */
  static String prebuilt(String pkg) {
    return PREBUILT + pkg + "." + NAME;
  }

  static final String PREBUILT = "dev/tripline/bootstrap/gate/";

  /**
   * The gate's class file under its name in {@code pkg}: as the build renamed it, or renamed now
   * when the agent runs from a classes directory.
   */
  static byte[] renamedBytes(String pkg) throws ReflectiveOperationException {
    try {
      byte[] prebuilt = AgentModule.premainEntry(prebuilt(pkg));
      if (prebuilt != null) {
        return prebuilt;
      }
      return rename(classBytes(SOURCE), SOURCE, (pkg + "." + NAME).replace('.', '/'));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the bridge's gate: " + e, e);
    }
  }

  /**
   * At build time (the agent's pom, before the jar is packed): writes the gate renamed into each of
   * {@link #PACKAGES} under {@code args[0]}, at {@link #prebuilt}. {@code args[1]} is the compiled
   * gate's class file.
   */
  public static void main(String[] args) throws IOException {
    byte[] gate = Files.readAllBytes(Path.of(args[1]));
    for (String[] candidate : PACKAGES) {
      String name = candidate[0] + "." + NAME;
      java.nio.file.Path out = Path.of(args[0], prebuilt(candidate[0]));
      Files.createDirectories(out.getParent());
      Files.write(out, rename(gate, SOURCE, name.replace('.', '/')));
    }
  }

  /**
   * Exports the gate's package to the agent's module: the agent alone (with the woven JDK modules)
   * may call it. Refused for an unnamed module: that would be the application's.
   */
  static void exportTo(Instrumentation inst, Class<?> gate, Module agent) {
    if (!agent.isNamed()) {
      throw new IllegalStateException(
          "the agent runs from its packed jar only (its classes are on the class path here)");
    }
    inst.redefineModule(
        Object.class.getModule(),
        Set.of(),
        Map.of(gate.getPackageName(), Set.of(agent)),
        Map.of(),
        Set.of(),
        Map.of());
  }

  private static byte[] classBytes(String name) throws ReflectiveOperationException {
    try {
      byte[] bytes = AgentModule.premainEntry(name + ".class");
      if (bytes == null) {
        throw new ClassNotFoundException("agent jar is incomplete: " + name + ".class is missing");
      }
      return bytes;
    } catch (IOException e) {
      throw new ClassNotFoundException("cannot read " + name + ".class", e);
    }
  }

  /**
   * The class file with every constant naming {@code from} (the class's own name, and any
   * descriptor holding it) naming {@code to} instead. The constant pool is rewritten entry by
   * entry; everything after it refers to constants by index, which the rewrite keeps, and is copied
   * as it is. Class-file strings are modified UTF-8, the format of {@code DataInput.readUTF}.
   */
  static byte[] rename(byte[] classFile, String from, String to) throws IOException {
    DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(classFile));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(classFile.length + 64);
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(in.readInt()); // magic
    out.writeInt(in.readInt()); // minor, major
    int count = in.readUnsignedShort();
    out.writeShort(count);
    boolean renamed = false;
    for (int i = 1; i < count; i++) {
      int tag = in.readUnsignedByte();
      out.writeByte(tag);
      switch (tag) {
        case 1: // Utf8
          String s = in.readUTF();
          String r = s.replace(from, to);
          renamed |= !r.equals(s);
          out.writeUTF(r);
          break;
        case 3: // Integer
        case 4: // Float
        case 9: // Fieldref
        case 10: // Methodref
        case 11: // InterfaceMethodref
        case 12: // NameAndType
        case 17: // Dynamic
        case 18: // InvokeDynamic
          out.writeInt(in.readInt());
          break;
        case 5: // Long
        case 6: // Double
          out.writeLong(in.readLong());
          i++; // takes two entries
          break;
        case 7: // Class
        case 8: // String
        case 16: // MethodType
        case 19: // Module
        case 20: // Package
          out.writeShort(in.readUnsignedShort());
          break;
        case 15: // MethodHandle
          out.writeByte(in.readUnsignedByte());
          out.writeShort(in.readUnsignedShort());
          break;
        default:
          throw new IOException("unknown constant tag " + tag + " at " + i);
      }
    }
    if (!renamed) {
      throw new IOException("no constant names " + from);
    }
    in.transferTo(out);
    out.flush();
    return bytes.toByteArray();
  }

  /** A loader for one class, dropped once it has run. */
  private static final class Throwaway extends ClassLoader {
    Throwaway() {
      super("tripline-gate-definer", ClassLoader.getPlatformClassLoader());
    }

    Class<?> define(String name, byte[] bytes) {
      return defineClass(name, bytes, 0, bytes.length);
    }
  }

  /**
   * Defines the gate with a private lookup on a class of its package. Loaded by {@link Throwaway}
   * only (by name, never by the application's loader), so the opening serves this class alone.
   */
  public static final class Definer {
    private Definer() {}

    public static Class<?> define(Class<?> anchor, byte[] gate) throws IllegalAccessException {
      return MethodHandles.privateLookupIn(anchor, MethodHandles.lookup()).defineClass(gate);
    }
  }
}

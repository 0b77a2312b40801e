package dev.tripline.agent;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The agent module's descriptor, written as the bytes of a {@code module-info.class} and read with
 * {@link ModuleDescriptor#read(ByteBuffer)}. Same descriptor as {@code
 * ModuleDescriptor.newModule(name).packages(…).requires(…)}, at a fraction of the cost on the
 * start-up path: the builder checks every package name code point by code point against the Java
 * identifier rules in interpreted code (about 15 ms of CPU for the module's ~250 packages, most of
 * the descriptor's cost), whereas reading a class file only checks for the three characters a
 * class-file name may not hold. The names come from the jar's build and the JDK's boot layer, and
 * the JDK's resolution still validates the result.
 *
 * <p>Written as class-file version 53 (Java 9): a {@code Module} attribute (the name, {@code
 * requires}, nothing exported, opened, used or provided) and a {@code ModulePackages} attribute.
 */
final class AgentModuleInfo {
  private static final int CONSTANT_UTF8 = 1;
  private static final int CONSTANT_CLASS = 7;
  private static final int CONSTANT_MODULE = 19;
  private static final int CONSTANT_PACKAGE = 20;
  private static final int ACC_MODULE = 0x8000;
  private static final int ACC_MANDATED = 0x8000;

  private final ByteArrayOutputStream poolBytes = new ByteArrayOutputStream(8192);
  private final DataOutputStream pool = new DataOutputStream(poolBytes);
  private final Map<String, Integer> entries = new LinkedHashMap<>();
  private int count = 1;

  private AgentModuleInfo() {}

  /**
   * The descriptor of module {@code name} holding {@code packages} and reading {@code requires}
   * ({@code java.base} is added, as every module requires it).
   */
  static ModuleDescriptor descriptor(
      String name, Collection<String> packages, Collection<String> requires) throws IOException {
    return ModuleDescriptor.read(ByteBuffer.wrap(bytes(name, packages, requires)));
  }

  /** The {@code module-info.class} bytes of {@link #descriptor}. */
  static byte[] bytes(String name, Collection<String> packages, Collection<String> requires)
      throws IOException {
    AgentModuleInfo w = new AgentModuleInfo();
    int thisClass = w.ref(CONSTANT_CLASS, "module-info");
    int moduleAttr = w.utf8("Module");
    int packagesAttr = w.utf8("ModulePackages");
    int self = w.ref(CONSTANT_MODULE, name);
    int base = w.ref(CONSTANT_MODULE, "java.base");
    int[] required = new int[requires.size()];
    int r = 0;
    for (String m : requires) {
      if (!m.equals("java.base")) {
        required[r++] = w.ref(CONSTANT_MODULE, m);
      }
    }
    int[] pkgs = new int[packages.size()];
    int p = 0;
    for (String pkg : packages) {
      pkgs[p++] = w.ref(CONSTANT_PACKAGE, pkg.replace('.', '/'));
    }

    ByteArrayOutputStream out = new ByteArrayOutputStream(poolSize(w) + 16 + 6 * r + 2 * p + 64);
    DataOutputStream d = new DataOutputStream(out);
    d.writeInt(0xCAFEBABE);
    d.writeShort(0);
    d.writeShort(53);
    d.writeShort(w.count);
    w.pool.flush();
    w.poolBytes.writeTo(d);
    d.writeShort(ACC_MODULE);
    d.writeShort(thisClass);
    d.writeShort(0); // no super class
    d.writeShort(0); // interfaces
    d.writeShort(0); // fields
    d.writeShort(0); // methods
    d.writeShort(2); // attributes: Module, ModulePackages

    d.writeShort(moduleAttr);
    d.writeInt(2 + 2 + 2 + 2 + 6 * (r + 1) + 2 + 2 + 2 + 2);
    d.writeShort(self);
    d.writeShort(0); // flags: neither open nor synthetic
    d.writeShort(0); // no version
    d.writeShort(r + 1);
    d.writeShort(base);
    d.writeShort(ACC_MANDATED);
    d.writeShort(0);
    for (int i = 0; i < r; i++) {
      d.writeShort(required[i]);
      d.writeShort(0); // neither transitive nor static
      d.writeShort(0);
    }
    d.writeShort(0); // exports
    d.writeShort(0); // opens
    d.writeShort(0); // uses
    d.writeShort(0); // provides

    d.writeShort(packagesAttr);
    d.writeInt(2 + 2 * p);
    d.writeShort(p);
    for (int i = 0; i < p; i++) {
      d.writeShort(pkgs[i]);
    }
    d.flush();
    return out.toByteArray();
  }

  private static int poolSize(AgentModuleInfo w) {
    return w.poolBytes.size();
  }

  private int utf8(String s) throws IOException {
    Integer known = entries.get("\u0001" + s);
    if (known != null) {
      return known;
    }
    pool.writeByte(CONSTANT_UTF8);
    pool.writeUTF(s);
    return add("\u0001" + s);
  }

  /** A constant-pool entry of {@code tag} pointing at the UTF-8 entry of {@code value}. */
  private int ref(int tag, String value) throws IOException {
    String key = (char) tag + value;
    Integer known = entries.get(key);
    if (known != null) {
      return known;
    }
    int name = utf8(value);
    pool.writeByte(tag);
    pool.writeShort(name);
    return add(key);
  }

  private int add(String key) throws IOException {
    if (count >= 0xFFFF) {
      throw new IOException("module descriptor too large: more than 65534 constants");
    }
    entries.put(key, count);
    return count++;
  }
}

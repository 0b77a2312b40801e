package dev.tripline.agent.callsite;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Frames that say on whose behalf the application did its I/O: met anywhere on the stack of a new
 * behaviour, each is recorded as a {@code CodeContext} (category, outermost matching frame, its
 * jar). A file written while {@code ObjectInputStream.readObject} is on the stack was written by
 * deserialization; a connection opened under {@code InitialContext.lookup} was opened by JNDI.
 *
 * <p>An entry is {@code category=prefix}: a class-name prefix, optionally {@code #method-prefix}.
 * The built-in table below can be extended with the {@code context.frames} setting (entries
 * separated by commas). Categories are reported in table order, user categories after the built-in
 * ones and reflection last (it is everywhere: Spring, test runners); one entry per category, at
 * most {@link #MAX_CONTEXTS}.
 */
public final class ContextFrames {
  static final String[] BUILT_IN = {
    // JNDI, told apart so a directory client is not a Log4Shell callback. A frame takes the first
    // entry it matches, so the narrow entries come before com.sun.jndi.'s catch-all.
    // jndi: a name that carries its own URL (ldap://, rmi://, dns: → the URL contexts), a
    // reference or object factory being resolved, log4j's lookup, the RMI and DNS providers.
    "jndi=com.sun.jndi.url.",
    "jndi=com.sun.jndi.toolkit.url.",
    "jndi=javax.naming.spi.NamingManager#getObjectInstance",
    "jndi=javax.naming.spi.DirectoryManager#getObjectInstance",
    "jndi=com.sun.jndi.ldap.Obj",
    "jndi=org.apache.logging.log4j.core.net.JndiManager",
    "jndi=org.apache.logging.log4j.core.lookup.JndiLookup",
    // jndi-lookup: a lookup by name, whichever provider serves it.
    "jndi-lookup=javax.naming.InitialContext#lookup",
    // directory: the LDAP provider serving a context the application built from its configuration
    // (InitialDirContext/InitialLdapContext: search, getAttributes, bind).
    "directory=com.sun.jndi.ldap.",
    // the provider toolkit the LDAP context inherits its operations from (LdapCtx extends
    // ComponentDirContext: search, getAttributes are PartialCompositeDirContext frames): a
    // configured directory's search that (re)connects is the directory client's. Every JNDI attack
    // path keeps a frame of its own above: a URL context, getObjectInstance, ldap.Obj, the DNS or
    // RMI provider.
    "directory=com.sun.jndi.toolkit.ctx.",
    "jndi=com.sun.jndi.",
    // Java serialization and the polymorphic deserializers that instantiate classes named by their
    // input.
    "deserialization=java.io.ObjectInputStream#readObject", // readObject and readObject0
    "deserialization=java.beans.XMLDecoder#readObject",
    "deserialization=com.fasterxml.jackson.databind.deser.",
    "deserialization=com.thoughtworks.xstream.",
    "deserialization=org.yaml.snakeyaml.constructor.",
    // Expression languages (SpEL, OGNL, MVEL, Jakarta/Java EL) and script engines (JSR 223,
    // Groovy).
    "expression=org.springframework.expression.",
    "expression=ognl.",
    "expression=org.mvel2.",
    "expression=jakarta.el.",
    "expression=javax.el.",
    "script=javax.script.",
    "script=groovy.lang.",
    "script=org.codehaus.groovy.",
    // External entities and DTDs fetched by an XML parser (XXE): the JDK's Xerces and Apache's.
    "xml-entity=com.sun.org.apache.xerces.internal.impl.XMLEntityManager",
    "xml-entity=org.apache.xerces.impl.XMLEntityManager",
    "reflection=java.lang.reflect.Method#invoke",
  };
  static final int MAX_CONTEXTS = 8;

  /**
   * The categories the built-in blocking rules read positively (a JNDI, deserialization, script/EL
   * or XML-entity frame: {@code known-bad.rules}): the agent weaves a per-thread count of their
   * frames into the JDK's classes the built-in table names for them, so a guarded call on a thread
   * without one needs no stack walk (issue 23; {@code instrument.ContextCounts}).
   */
  public static final Set<String> COUNTED =
      Set.of("jndi", "jndi-lookup", "deserialization", "expression", "script", "xml-entity");

  /**
   * The counted categories whose frames in a library's classes (log4j's {@code JndiManager}, an
   * application's {@code com.sun.jndi} provider) mark the thread for good: few classes, never hot.
   * A library class of another counted category (Jackson's deserializers, SpEL, Groovy: hot code)
   * is not woven; loading one makes every call whose rules read those categories walk, in the whole
   * JVM.
   */
  public static final Set<String> MARKED = Set.of("jndi", "jndi-lookup");

  /** The built-in table as rules of category names, for the weaver (no instance at load time). */
  private static final String[][] BUILT_IN_RULES = parse(BUILT_IN);

  private static String[][] parse(String[] entries) {
    String[][] out = new String[entries.length][];
    for (int i = 0; i < entries.length; i++) {
      String e = entries[i];
      int eq = e.indexOf('=');
      int hash = e.indexOf('#');
      out[i] =
          new String[] {
            e.substring(0, eq),
            hash < 0 ? e.substring(eq + 1) : e.substring(eq + 1, hash),
            hash < 0 ? null : e.substring(hash + 1)
          };
    }
    return out;
  }

  /**
   * What {@link #onStack()} returns when a category's index does not fit its mask (more than 63
   * categories): the caller cannot tell stacks apart by it.
   */
  public static final long UNKNOWN = -1L;

  /** As {@code CallSites}' context walk: reflection and hidden frames shown, classes kept. */
  private static final StackWalker WALKER =
      StackWalker.getInstance(
          EnumSet.of(
              StackWalker.Option.RETAIN_CLASS_REFERENCE, StackWalker.Option.SHOW_HIDDEN_FRAMES));

  private static final String LAST = "reflection";

  /** One table entry; {@code index} is its category's place in the output order. */
  static final class Rule {
    final String classPrefix;
    final @Nullable String methodPrefix; // null: any method
    final int index;

    Rule(String classPrefix, @Nullable String methodPrefix, int index) {
      this.classPrefix = classPrefix;
      this.methodPrefix = methodPrefix;
      this.index = index;
    }
  }

  private static final Rule[] NONE = new Rule[0];

  private final List<String> categories = new ArrayList<>();
  private final List<Rule> rules = new ArrayList<>();
  private final List<String> rejected = new ArrayList<>();

  /** The rules whose class prefix a class matches, computed once per class. */
  private final ClassValue<Rule[]> byClass =
      new ClassValue<>() {
        @Override
        protected Rule[] computeValue(Class<?> type) {
          String name = type.getName();
          List<Rule> hit = null;
          for (Rule r : rules) {
            if (name.startsWith(r.classPrefix)) {
              if (hit == null) hit = new ArrayList<>(2);
              hit.add(r);
            }
          }
          return hit == null ? NONE : hit.toArray(NONE);
        }
      };

  /**
   * The built-in table plus {@code extra} (the {@code context.frames} setting:
   * "category=prefix,…").
   */
  public ContextFrames(String extra) {
    List<String> entries = new ArrayList<>(List.of(BUILT_IN));
    for (String e : extra == null ? new String[0] : extra.split(",")) {
      if (!e.trim().isEmpty()) entries.add(e.trim());
    }
    for (String e : entries) { // categories in order of first appearance, reflection last
      String category = category(e);
      if (category != null && !category.equals(LAST) && !categories.contains(category))
        categories.add(category);
    }
    categories.add(LAST);
    for (String e : entries) {
      String category = category(e);
      String prefix = category == null ? "" : e.substring(e.indexOf('=') + 1).trim();
      if (prefix.isEmpty()) {
        rejected.add(e);
        continue;
      }
      int hash = prefix.indexOf('#');
      rules.add(
          new Rule(
              hash < 0 ? prefix : prefix.substring(0, hash),
              hash < 0 || hash == prefix.length() - 1 ? null : prefix.substring(hash + 1),
              categories.indexOf(category)));
    }
  }

  private static @Nullable String category(String entry) {
    int eq = entry.indexOf('=');
    return eq <= 0 ? null : entry.substring(0, eq).trim();
  }

  /**
   * The {@link #COUNTED} category a frame of {@code method} in class {@code className} (binary
   * name) has by the built-in table, or null: the same first-match rule as {@link #match}. The
   * weaver counts exactly these frames.
   */
  public static @Nullable String counted(String className, String method) {
    for (String[] r : BUILT_IN_RULES) {
      if (className.startsWith(r[1]) && (r[2] == null || method.startsWith(r[2]))) {
        return COUNTED.contains(r[0]) ? r[0] : null;
      }
    }
    return null;
  }

  /**
   * The {@link #COUNTED} categories some method of class {@code className} (binary name) may have a
   * frame of; empty for nearly every class.
   */
  public static Set<String> mayCount(String className) {
    Set<String> out = null;
    for (String[] r : BUILT_IN_RULES) {
      if (className.startsWith(r[1]) && COUNTED.contains(r[0])) {
        if (out == null) out = new java.util.HashSet<>(2);
        out.add(r[0]);
      }
    }
    return out == null ? Set.of() : out;
  }

  /**
   * The class-name prefixes (internal form, '/') of the built-in entries of {@link #COUNTED}
   * categories: every class that may have a counted frame starts with one of them.
   */
  public static String[] countedPrefixes() {
    List<String> out = new ArrayList<>();
    for (String[] r : BUILT_IN_RULES) {
      String p = r[1].replace('.', '/');
      if (COUNTED.contains(r[0]) && !out.contains(p)) out.add(p);
    }
    return out.toArray(new String[0]);
  }

  /**
   * The mask bits ({@link #onStack}) of the {@link #COUNTED} categories: a stack whose mask has
   * none of them has no frame of theirs.
   */
  public long countedMask() {
    long mask = 0;
    for (String c : COUNTED) {
      int i = categories.indexOf(c);
      if (i >= 0 && i < Long.SIZE - 1) {
        mask |= 1L << i;
      }
    }
    return mask;
  }

  /**
   * The {@code context.frames} entries that add frames to a {@link #COUNTED} category: classes the
   * weaver does not count, so a zero count proves nothing while any is set.
   */
  public List<String> extendsCounted() {
    List<String> out = new ArrayList<>();
    for (int i = BUILT_IN.length; i < rules.size(); i++) {
      Rule r = rules.get(i);
      if (COUNTED.contains(categories.get(r.index))) {
        out.add(r.classPrefix + (r.methodPrefix == null ? "" : "#" + r.methodPrefix));
      }
    }
    return out;
  }

  /** The walk of {@link #onStack()}, made once (no capturing lambda per call). */
  private final Function<Stream<StackWalker.StackFrame>, Long> maskOf = this::mask;

  /**
   * The categories with a frame on the current thread's stack, as a mask (bit i: category i), or
   * {@link #UNKNOWN}. Two stacks with the same mask give the same context categories, in the same
   * order, to whatever reads them ({@code CallSites.capture}): protect mode reuses a verdict that
   * depends on the categories only for a call whose mask is the same. One walk, nothing named.
   */
  public long onStack() {
    return WALKER.walk(maskOf);
  }

  private Long mask(Stream<StackWalker.StackFrame> frames) {
    long mask = 0;
    for (Iterator<StackWalker.StackFrame> it = frames.iterator(); it.hasNext(); ) {
      int category = match(it.next());
      if (category >= Long.SIZE - 1) {
        return UNKNOWN;
      }
      if (category >= 0) {
        mask |= 1L << category;
      }
    }
    return mask;
  }

  /**
   * Entries of the setting that are not {@code category=prefix}: ignored (the caller says so once).
   */
  public List<String> rejected() {
    return rejected;
  }

  int categories() {
    return categories.size();
  }

  String category(int index) {
    return categories.get(index);
  }

  /**
   * The category index this frame matches, or -1. Cheap for the common frame: one ClassValue read.
   * The method name is asked only of a class that matched: {@code StackFrame.getMethodName()}
   * resolves the frame's method and costs more than the walk itself.
   */
  int match(StackWalker.StackFrame frame) {
    Rule[] hit = byClass.get(frame.getDeclaringClass());
    for (Rule r : hit) {
      if (r.methodPrefix == null || frame.getMethodName().startsWith(r.methodPrefix)) {
        return r.index;
      }
    }
    return -1;
  }
}

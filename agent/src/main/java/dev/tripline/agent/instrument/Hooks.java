package dev.tripline.agent.instrument;

import dev.tripline.agent.config.AgentConfig;
import dev.tripline.agent.config.AgentKeys;
import dev.tripline.agent.record.Observations;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The hooks of this JVM: every {@link HookGroup} the {@code capture} setting enables, numbered into
 * one table (the number is what the woven code passes), and their weaving. The list of groups is
 * the one source for weaving, for the {@code capture} words and for {@code -Dtripline.debug}.
 */
public final class Hooks {
  /** Every group the agent knows. A new kind of behaviour is one more entry here. */
  static List<HookGroup> groups() {
    return List.of(
        new FileHooks(),
        new NetworkHooks(),
        new HttpClientHooks(),
        new DnsHooks(),
        new ProcessHooks(),
        new CodeHooks(),
        new NettyTransportHooks(),
        new NettyResolverHooks(),
        new NettyClientHooks(),
        new RequestHooks(),
        new TaskHandoffHooks());
  }

  private final Hook[] table;

  /**
   * The weaver's failures. The weaver itself (which keeps the Instrumentation, for libraries in
   * named modules loaded later) is held by the JVM's transformer list alone: nothing reachable from
   * the bridge leads to the Instrumentation.
   */
  private Map<String, String> failures = Map.of();

  public Hooks(AgentConfig config) {
    List<Hook> enabled = new ArrayList<>();
    int feature = Runtime.version().feature();
    for (HookGroup g : groups()) {
      if (g.context() != HookGroup.Context.NONE
          ? !config.get(AgentKeys.REQUEST_CONTEXT)
          : !config.captures(g.capture())) {
        continue; // request context has a switch of its own: it serves every kind
      }
      for (Hook h : g.hooks()) {
        if (!existsOn(h, feature)) {
          continue; // not a blind spot: that JDK has no such class
        }
        h.group = g;
        h.id = enabled.size();
        enabled.add(h);
      }
    }
    this.table = enabled.toArray(new Hook[0]);
    ScopeTokens tokens = new ScopeTokens();
    for (Hook h : table) {
      if (h.provesScope()) {
        h.entryToken = tokens.next();
        h.exitToken = tokens.next();
      }
    }
  }

  /**
   * Which hook indexes are a library's (woven into application loaders; they report through the
   * bridge's public entry, which accepts these indexes only).
   */
  public boolean[] libraryIds() {
    boolean[] ids = new boolean[table.length];
    for (Hook h : table) {
      ids[h.id] = h.library;
    }
    return ids;
  }

  /**
   * Which hook indexes are a guarded library's (protect mode judges them at their entry through the
   * bridge's public {@code guard}, which takes these indexes only).
   */
  public boolean[] guardedLibraryIds() {
    boolean[] ids = new boolean[table.length];
    for (Hook h : table) {
      ids[h.id] = h.library && h.refusal != null;
    }
    return ids;
  }

  /** Which hook indexes report that the JVM halts next ({@link Hook#halts}). */
  public boolean[] haltIds() {
    boolean[] ids = new boolean[table.length];
    for (Hook h : table) {
      ids[h.id] = h.halts;
    }
    return ids;
  }

  /**
   * Which hook indexes report a request's context or a task's hand-over, never an event or the data
   * of one (their groups' {@link HookGroup.Context}): the start-up buffer does not keep them
   * ({@code EarlyBuffer.contextOnly}). Not the hand-off style as such: a spawn's environment and a
   * JNDI DNS query are reported that way and are part of events.
   */
  public boolean[] contextOnlyIds() {
    boolean[] ids = new boolean[table.length];
    for (Hook h : table) {
      ids[h.id] = h.group != null && h.group.context() != HookGroup.Context.NONE;
    }
    return ids;
  }

  /**
   * Whether {@code h}'s class exists on a JDK of this feature release: Unix domain sockets from 16,
   * raw (FFM) library loads from 18, virtual threads from 21, CompletableFuture's thread per task
   * before 25.
   */
  static boolean existsOn(Hook h, int feature) {
    if (h.owner.startsWith("sun/nio/ch/UnixDomainSockets")) {
      return feature >= 16;
    }
    if (h.owner.equals("java/lang/VirtualThread")) {
      return feature >= 21;
    }
    if (h.owner.equals("java/util/concurrent/CompletableFuture$ThreadPerTaskExecutor")) {
      return feature < 25; // 25's CompletableFuture always has a pool of its own
    }
    return !h.owner.startsWith("jdk/internal/loader/RawNativeLibraries") || feature >= 18;
  }

  /** The capture words the groups answer to ("file", "net", "dns", "process"). */
  public static Set<String> captureWords() {
    Set<String> out = new LinkedHashSet<>();
    for (HookGroup g : groups()) {
      out.add(g.capture());
    }
    return out;
  }

  /**
   * Weaves the hooks: into classes the JVM loads from now on, and (retransformed) into those it has
   * loaded already. Returns when every loaded class with an event's hook is woven, so the
   * application's first I/O after {@code premain} is seen. A loaded class whose hooks all report
   * context only (a request's scope, a task's hand-over: on JDK 21+ {@code VirtualThread}, loaded
   * with the JVM) is left to the returned task, which the agent's thread runs first: the start-up
   * buffer keeps no context report anyway ({@link #contextOnlyIds}), and its retransformation (a
   * redefinition the JVM verifies whole, ~5 ms on JDK 25) is then off the application's start-up
   * path. The task holds {@code inst} until it has run.
   */
  public Runnable install(Instrumentation inst) {
    HookWeaver weaver = new HookWeaver(List.of(table), inst);
    failures = weaver.failures();
    inst.addTransformer(weaver, true);
    try {
      weaver.enableNativeWrappers();
    } catch (RuntimeException e) {
      weaver.failures().put("native method prefix", e.toString()); // native hooks stay missing
    }
    Map<String, Boolean> contextOnly = new HashMap<>(); // owner -> every hook on it context only
    for (Hook h : table) {
      String owner = h.owner.replace('/', '.');
      boolean context = context(h.id) != HookGroup.Context.NONE;
      Boolean all = contextOnly.get(owner);
      contextOnly.put(owner, all == null ? context : all && context);
    }
    List<Class<?>> now = new ArrayList<>();
    List<Class<?>> later = new ArrayList<>();
    for (Class<?> c : inst.getAllLoadedClasses()) {
      String name = c.getName();
      Boolean context = contextOnly.get(name);
      boolean frames = ContextCounts.candidate(name);
      if (context != null || frames) { // the weaver decides, by loader, which of them it weaves
        (context != null && context && !frames ? later : now).add(c);
      }
    }
    retransform(inst, now, weaver);
    return new Retransform(inst, later, weaver);
  }

  /** The context-only classes {@link #install} left, retransformed on the agent's thread. */
  private static final class Retransform implements Runnable {
    private final Instrumentation inst;
    private final List<Class<?>> classes;
    private final HookWeaver weaver;

    Retransform(Instrumentation inst, List<Class<?>> classes, HookWeaver weaver) {
      this.inst = inst;
      this.classes = classes;
      this.weaver = weaver;
    }

    /**
     * Once: its one holder, the agent's runtime, drops it (and with it {@code inst}) as it runs.
     */
    @Override
    public void run() {
      retransform(inst, classes, weaver);
    }
  }

  private static void retransform(Instrumentation inst, List<Class<?>> loaded, HookWeaver weaver) {
    if (loaded.isEmpty()) {
      return;
    }
    try {
      // One VM operation for all of them (one safepoint, one pass over the JVM's compiled code).
      inst.retransformClasses(loaded.toArray(new Class<?>[0]));
      return;
    } catch (UnmodifiableClassException | RuntimeException | LinkageError e) {
      // the JVM retransforms all or none: again one at a time, so one failure leaves the others
      // woven
    }
    for (Class<?> c : loaded) {
      try {
        inst.retransformClasses(c);
      } catch (UnmodifiableClassException | RuntimeException | LinkageError e) {
        weaver.failures().put(c.getName(), e.toString());
        if (ContextCounts.candidate(c.getName())) {
          ContextCounts.untrusted(); // its frames run uncounted
        }
      }
    }
  }

  /** Hands one observation to the group of the hook that made it. */
  public void observe(
      int hook,
      @Nullable Object a,
      @Nullable Object b,
      int n,
      @Nullable Throwable error,
      Observations to) {
    if (hook < 0 || hook >= table.length) {
      throw new IllegalArgumentException("no hook " + hook);
    }
    Hook h = table[hook];
    HookGroup group = h.group;
    if (group == null) { // never: the constructor sets every enabled hook's group
      throw new IllegalStateException("hook " + hook + " has no group");
    }
    group.observe(h.action, a, b, n, error, to);
  }

  /** The entry decision of guarded hook {@code hook}: {@link HookGroup#decide}. */
  public void decide(int hook, @Nullable Object a, @Nullable Object b, int n, Observations to) {
    if (hook < 0 || hook >= table.length) {
      throw new IllegalArgumentException("no hook " + hook);
    }
    Hook h = table[hook];
    HookGroup group = h.group;
    if (group == null) { // never: the constructor sets every enabled hook's group
      throw new IllegalStateException("hook " + hook + " has no group");
    }
    group.decide(h.action, a, b, n, to);
  }

  /** What kind of context hook {@code hook} reports ({@link HookGroup.Context#NONE}: behaviour). */
  public HookGroup.Context context(int hook) {
    HookGroup g = hook < 0 || hook >= table.length ? null : table[hook].group;
    return g == null ? HookGroup.Context.NONE : g.context();
  }

  /** Whether hook {@code hook} is a library's (it reports through the public bridge). */
  public boolean isLibrary(int hook) {
    return hook >= 0 && hook < table.length && table[hook].library;
  }

  /**
   * For a hook whose reports change which request is attributed ({@link Hook#provesScope}): 1 when
   * {@code n} is its entry token, 0 its exit token, -1 anything else (a report its woven code did
   * not make: refused). {@code n} itself for every other hook.
   */
  int scope(int hook, int n) {
    Hook h = table[hook];
    if (!h.provesScope()) {
      return n;
    }
    return n == h.entryToken ? 1 : n == h.exitToken ? 0 : -1;
  }

  /** Whether hook {@code hook}'s reports must carry its woven token ({@link Hook#provesScope}). */
  boolean provesScope(int hook) {
    return hook >= 0 && hook < table.length && table[hook].provesScope();
  }

  /** Hook {@code hook}'s name. */
  String name(int hook) {
    return table[hook].name;
  }

  /** How hook {@code hook} refuses a call in protect mode, or null when it is never refused. */
  public @Nullable Refusal refusal(int hook) {
    return hook < 0 || hook >= table.length ? null : table[hook].refusal;
  }

  /** The number of the first enabled hook named {@code name}, or -1 (for tests). */
  /** Hook {@code id} of this table: for tests. */
  Hook hook(int id) {
    return table[id];
  }

  int idOf(String name) {
    for (Hook h : table) {
      if (h.name.equals(name)) {
        return h.id;
      }
    }
    return -1;
  }

  /**
   * Hook names meant for this JVM, each once (a hook with one row per shape is one name): every JDK
   * hook, and a library's hooks once one of its hooked classes was loaded — an application without
   * Netty is not blind to Netty, one whose Netty changed shape is.
   */
  public List<String> all() {
    Set<String> out = new LinkedHashSet<>();
    for (Hook h : table) {
      if (h.expected()) {
        out.add(h.name);
      }
    }
    return new ArrayList<>(out);
  }

  /** Hooks woven on this JVM: a name is applied when one of its shapes was. */
  public List<String> applied() {
    Set<String> out = new LinkedHashSet<>();
    for (Hook h : table) {
      if (h.applied) {
        out.add(h.name);
      }
    }
    return new ArrayList<>(out);
  }

  /** The JDK classes hooked (their classes may not be loaded yet). */
  public List<String> types() {
    Set<String> out = new LinkedHashSet<>();
    for (Hook h : table) {
      if (!h.library) {
        out.add(h.owner());
      }
    }
    return new ArrayList<>(out);
  }

  public Map<String, String> failures() {
    return failures;
  }
}

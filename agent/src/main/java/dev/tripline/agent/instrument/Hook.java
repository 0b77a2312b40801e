package dev.tripline.agent.instrument;

import org.jspecify.annotations.Nullable;

/**
 * One JDK (or library) method, and what its woven code hands to the agent: up to two objects
 * ({@code a}, {@code b}) and one int ({@code n}), each taken from {@code this}, an argument or the
 * return value. A row of a {@link HookGroup}; the group's {@code observe} reads the values in the
 * order declared here, so a hook and the code that reads it sit side by side.
 *
 * <p>Matching is by owner, method name and exact parameter list: a JDK that changes the shape
 * simply does not match, and the hook is listed as missing in the heartbeat (a blind spot made
 * visible), never woven into the wrong method. A group declares one row per known shape.
 */
public final class Hook {
  /** Where a value comes from. */
  enum Source {
    NONE,
    THIS,
    ARG,
    RETURN,
    /**
     * A field of {@code this} or of an argument, read by the woven code itself (which sits in the
     * JDK class and may read its private fields): the value the JDK uses, never a call of a method
     * an application subclass could override.
     */
    FIELD,
    /**
     * An {@code int} argument as an {@code Integer} ({@code Integer.valueOf}: the JDK's cache, no
     * allocation for -128..127, so a -1 on a hot path costs a load).
     */
    BOXED,
    /**
     * Several arguments in a new {@code Object[]} ({@code int}s boxed): allocated at each call, so
     * only for a rare call (a spawn, a rename at a descriptor) that needs more than two values.
     */
    ARGS
  }

  /** How a hook is woven. */
  enum Style {
    /** Bracketed ({@code enter}/{@code exit}) around a Java method's body. */
    BRACKET,
    /** Reported at entry, not bracketed. */
    HANDOFF,
    /**
     * Reported at entry when no hooked call is around it ({@code exit(enter(), …)} before the
     * body), not bracketed: for a constructor, whose {@code this} cannot be bracketed before {@code
     * super()}, nested in a hooked method that reports it already.
     */
    PROBE,
    /**
     * A library load in Java code ({@code NativeLibraryImpl.open()}, returning whether it loaded):
     * reported on exit through {@code handoff} with the path and the class it is loaded for, read
     * from {@code this}'s fields. Not bracketed, as {@link #NATIVE_LOAD}.
     */
    AFTER_LOAD,
    /**
     * A native method, renamed with the agent's prefix and called from a bracketed Java wrapper of
     * its old name: callers of JDK internals are seen, and the bracket makes a call nested in a
     * hooked Java method report once (as the outer one).
     */
    NATIVE,
    /**
     * A native library load: wrapped like {@link #NATIVE} but not bracketed, reported on exit
     * through {@code handoff} — the library's {@code JNI_OnLoad} runs inside it, and the Java I/O
     * it does must still report on its own.
     */
    NATIVE_LOAD,
    /**
     * A request's scope (a server's entry into one request's handling): reported at entry ({@code
     * n} = 1) and before every return and throw ({@code n} = 0), with no counter — the I/O the
     * request does inside it must report as usual. A library's goes through {@code
     * TriplineBridge.report}; a JDK's ({@code com.sun.net.httpserver}) through the gate's {@code
     * handoff}, with {@code b} = {@code Boolean.TRUE} at entry and {@code FALSE} at exit.
     */
    REQUEST
  }

  /** A value the hook passes: its source and, for an argument, its index (0 = first parameter). */
  static final class Value {
    static final Value NONE = new Value(Source.NONE, -1);
    static final Value THIS = new Value(Source.THIS, -1);
    static final Value RETURN = new Value(Source.RETURN, -1);
    final Source source;
    final int index;

    /** For {@link Source#FIELD}: the field's class, name and descriptor; null otherwise. */
    final @Nullable String fieldOwner;

    final @Nullable String fieldName;

    final @Nullable String fieldType;

    /**
     * For {@link Source#FIELD} of an argument: a null argument reads the field of {@code this}
     * (instead of throwing in the woven code): the JDK method rejects the null itself.
     */
    final boolean nullReadsThis;

    /**
     * For a {@code boolean} {@link Source#FIELD} passed as {@code n}: a second {@code boolean}
     * field of the same object, passed as bit 1 (the first is bit 0) — two of the JDK's own flags
     * in one int, read branch-free; null for a plain field.
     */
    final @Nullable String bitField;

    /** For {@link Source#ARGS}: the arguments' indexes, in the order the array holds them. */
    final int[] indexes;

    private Value(Source source, int index) {
      this(source, index, null, null, null, false, null);
    }

    private Value(Source source, int[] indexes) {
      this.source = source;
      this.index = -1;
      this.fieldOwner = null;
      this.fieldName = null;
      this.fieldType = null;
      this.nullReadsThis = false;
      this.bitField = null;
      this.indexes = indexes.clone();
    }

    private Value(
        Source source,
        int index,
        @Nullable String fieldOwner,
        @Nullable String fieldName,
        @Nullable String fieldType,
        boolean nullReadsThis,
        @Nullable String bitField) {
      this.source = source;
      this.index = index;
      this.fieldOwner = fieldOwner;
      this.fieldName = fieldName;
      this.fieldType = fieldType;
      this.nullReadsThis = nullReadsThis;
      this.bitField = bitField;
      this.indexes = new int[0];
    }

    static Value arg(int index) {
      return new Value(Source.ARG, index);
    }

    /** The {@code int} argument {@code index}, boxed (see {@link Source#BOXED}). */
    static Value boxed(int index) {
      return new Value(Source.BOXED, index);
    }

    /** {@code new Object[] {argument(i), …}} (see {@link Source#ARGS}). */
    static Value args(int... indexes) {
      return new Value(Source.ARGS, indexes);
    }

    /** {@code this.name} (descriptor {@code type}), declared in {@code owner}. */
    static Value thisField(String owner, String name, String type) {
      return new Value(Source.FIELD, -1, owner, name, type, false, null);
    }

    /** {@code argument(index).name}: the argument must never be null when the method runs. */
    static Value argField(int index, String owner, String name, String type) {
      return new Value(Source.FIELD, index, owner, name, type, false, null);
    }

    /**
     * {@code argument(index).bit0 | argument(index).bit1 << 1}, two {@code boolean} fields as one
     * {@code n}: the argument must never be null when the method runs.
     */
    static Value argFlags(int index, String owner, String bit0, String bit1) {
      return new Value(Source.FIELD, index, owner, bit0, "Z", false, bit1);
    }

    /** {@code (argument(index) != null ? argument(index) : this).name}. */
    static Value argFieldOrThis(int index, String owner, String name, String type) {
      return new Value(Source.FIELD, index, owner, name, type, true, null);
    }
  }

  final String name;

  /** Internal name of the class ("java/io/FileInputStream", "io/netty/channel/unix/Socket"). */
  final String owner;

  /** {@link #owner} as a binary name, as a stack frame names it. */
  final String ownerName;

  /**
   * A library's class (Netty, Reactor Netty, Spring), woven in whichever loader defines it: an
   * application may load it more than once. A JDK class is woven only when the JDK's own loaders
   * define it — an application class of the same name is never touched.
   */
  final boolean library;

  final String method;

  /** The parameter list, descriptor form: "(Ljava/lang/String;Z)". */
  final String parameters;

  final boolean handoff;
  final Style style;

  /**
   * A scoped bracket ({@code TriplineBridge.enterScope}): the JDK method runs application code, or
   * does I/O worth its own report, inside it; only {@link #inner} hooks nested in it stay silent.
   */
  boolean scoped;

  /**
   * The JDK's own layer below a scoped hook (the fork under a spawn, open(2) under a channel open):
   * silent inside any hooked call, scoped or not ({@code TriplineBridge.exitInner}).
   */
  boolean inner;

  /** For {@link Style#AFTER_LOAD}: {@code this}'s field holding the library's path. */
  final @Nullable String pathField;

  /**
   * For {@link Style#AFTER_LOAD}: {@code this}'s field holding the class the library is loaded for
   * ("fromClass"), or null.
   */
  final @Nullable String loaderField;

  /**
   * A JDK class the JVM loads only when an application uses it: its hook is expected (listed as
   * missing when not applied) once the class was loaded.
   */
  boolean onDemand;

  /**
   * The JVM halts next: during the agent's start-up the start-up buffer does not keep this report
   * but waits (within {@code halt.wait}) for the recorder to take over, then hands it on.
   */
  boolean halts;

  final int action;
  final Value a;
  final Value b;
  final Value n;

  /** Set by {@link Hooks} when it enables the hook: a group builds its hooks before that. */
  @Nullable HookGroup group;

  int id = -1;

  /**
   * For a scope proven by token ({@link #provesScope}): the {@code n} its woven code passes at the
   * scope's entry and at its exit, random per JVM, set by {@link Hooks}. A constant in the woven
   * bytecode only: no field or object of the application's reach holds it.
   */
  int entryToken;

  int exitToken;

  volatile boolean applied;

  /**
   * For a library hook: its class was loaded (else it is not a blind spot, the library is simply
   * absent).
   */
  volatile boolean present;

  private Hook(
      String name,
      String owner,
      String method,
      String parameters,
      Style style,
      @Nullable String pathField,
      @Nullable String loaderField,
      int action,
      Value a,
      Value b,
      Value n) {
    this.name = name;
    this.owner = owner;
    this.ownerName = owner.replace('/', '.');
    // javax.servlet is an application's library (Tomcat 9, Jetty 9), not the JDK's javax.*
    this.library =
        owner.startsWith("javax/servlet/")
            || !(owner.startsWith("java/")
                || owner.startsWith("javax/")
                || owner.startsWith("sun/")
                || owner.startsWith("jdk/")
                || owner.startsWith("com/sun/"));
    this.method = method;
    this.parameters = parameters;
    this.style = style;
    this.handoff = style == Style.HANDOFF;
    this.pathField = pathField;
    this.loaderField = loaderField;
    this.action = action;
    this.a = a;
    this.b = b;
    this.n = n;
  }

  /**
   * Whether this hook's reports change which request the agent attributes (a library's request
   * scope, WebFlux's route), through the bridge's public entry that any code can call: its woven
   * code proves itself with {@link #entryToken}/{@link #exitToken} as {@code n}.
   */
  boolean provesScope() {
    HookGroup g = group;
    return library && g != null && g.context() == HookGroup.Context.REQUEST;
  }

  /**
   * An I/O hook: bracketed, reported on exit (return or throw) when it is the outermost hooked
   * call. {@code action} tells the group's {@code observe} which of its hooks fired.
   */
  static Hook exit(
      String name,
      String owner,
      String method,
      String parameters,
      int action,
      Value a,
      Value b,
      Value n) {
    return new Hook(name, owner, method, parameters, Style.BRACKET, null, null, action, a, b, n);
  }

  /** See {@link Style#PROBE}. */
  static Hook probe(
      String name,
      String owner,
      String method,
      String parameters,
      int action,
      Value a,
      Value b,
      Value n) {
    return new Hook(name, owner, method, parameters, Style.PROBE, null, null, action, a, b, n);
  }

  /**
   * See {@link Style#AFTER_LOAD}: the group sees {@code a} = the path; on a successful return
   * {@code b} = the class it is loaded for (or null), on an unsuccessful one {@code Boolean.FALSE},
   * on a throw the throwable.
   */
  static Hook afterLoad(
      String name,
      String owner,
      String method,
      int action,
      String pathField,
      @Nullable String loaderField) {
    return new Hook(
        name,
        owner,
        method,
        "()",
        Style.AFTER_LOAD,
        pathField,
        loaderField,
        action,
        Value.THIS,
        Value.NONE,
        Value.NONE);
  }

  /**
   * A native method of the JDK, wrapped (see {@link Style#NATIVE}): reported on exit when it is the
   * outermost hooked call, as {@link #exit} is.
   */
  static Hook nativeExit(
      String name,
      String owner,
      String method,
      String parameters,
      int action,
      Value a,
      Value b,
      Value n) {
    return new Hook(name, owner, method, parameters, Style.NATIVE, null, null, action, a, b, n);
  }

  /**
   * A native library load (see {@link Style#NATIVE_LOAD}): on a successful return the group sees
   * {@code a} = the argument {@code pathArg} (the library's path) and {@code b} = null; on a throw,
   * {@code b} is the throwable. An unsuccessful return is not reported.
   */
  static Hook nativeLoad(
      String name, String owner, String method, String parameters, int action, int pathArg) {
    return new Hook(
        name,
        owner,
        method,
        parameters,
        Style.NATIVE_LOAD,
        null,
        null,
        action,
        Value.arg(pathArg),
        Value.NONE,
        Value.NONE);
  }

  boolean isNative() {
    return style == Style.NATIVE || style == Style.NATIVE_LOAD;
  }

  /**
   * Not a hook: a library class that does I/O the agent cannot see (a transport with no Java-level
   * choke point yet). Nothing is woven; once the class loads, {@code name} is listed among the
   * missing hooks in every heartbeat, so the blind spot is visible instead of silent.
   */
  static Hook uncovered(String name, String owner) {
    return new Hook(
        name,
        owner,
        UNCOVERED,
        "()",
        Style.BRACKET,
        null,
        null,
        0,
        Value.NONE,
        Value.NONE,
        Value.NONE);
  }

  /** The method name of an {@link #uncovered} row: no method is called this. */
  static final String UNCOVERED = "<uncovered>";

  boolean isUncovered() {
    return UNCOVERED.equals(method);
  }

  /** A hand-off hook: reported at entry, not bracketed (the I/O it leads to reports on its own). */
  static Hook handoff(
      String name, String owner, String method, String parameters, int action, Value a) {
    return new Hook(
        name,
        owner,
        method,
        parameters,
        Style.HANDOFF,
        null,
        null,
        action,
        a,
        Value.NONE,
        Value.NONE);
  }

  /**
   * A request's scope (see {@link Style#REQUEST}): {@code a} is the request (an argument or {@code
   * this}).
   */
  static Hook request(String name, String owner, String method, String parameters, Value a) {
    return new Hook(
        name, owner, method, parameters, Style.REQUEST, null, null, 0, a, Value.NONE, Value.NONE);
  }

  /**
   * A scope woven as a request's is ({@link Style#REQUEST}: reported at entry and at every exit),
   * with {@code action} telling its group which one: a handed-over task running on its thread.
   */
  static Hook scope(
      String name, String owner, String method, String parameters, int action, Value a) {
    return new Hook(
        name,
        owner,
        method,
        parameters,
        Style.REQUEST,
        null,
        null,
        action,
        a,
        Value.NONE,
        Value.NONE);
  }

  public String name() {
    return name;
  }

  public String owner() {
    return ownerName;
  }

  public boolean applied() {
    return applied;
  }

  /**
   * Whether the heartbeat should list this hook: every JDK hook, and a library's once the library
   * is loaded.
   */
  boolean expected() {
    return !(library || onDemand) || present;
  }

  /** Marks this hook {@link #scoped}; returns it. */
  Hook scoped() {
    scoped = true;
    return this;
  }

  /** Marks this hook {@link #inner}; returns it. */
  Hook inner() {
    inner = true;
    return this;
  }

  /**
   * Protect mode: how this hook refuses a call at its entry ({@link Refusal}), or null when it is
   * never refused. A guarded hook is a plain JDK bracket: its entry calls the gate's {@code guard}
   * before {@code enter}, with {@code a}, {@code b}, {@code n} as at exit but a return value not
   * yet known (null, or 1 for an int: "it will happen").
   */
  @Nullable Refusal refusal;

  /** Marks this hook guarded, refusing with {@code how}; returns it. */
  Hook guarded(Refusal how) {
    refusal = how;
    return this;
  }

  /** Marks this hook {@link #onDemand}; returns it. */
  Hook onDemand() {
    onDemand = true;
    return this;
  }

  /** See {@link #halts}. */
  Hook halts() {
    halts = true;
    return this;
  }

  /** Not bracketed: reported at entry ({@link Style#HANDOFF}, {@link Style#PROBE}). */
  boolean atEntry() {
    return style == Style.HANDOFF || style == Style.PROBE;
  }

  @Override
  public String toString() {
    return name + " = " + owner() + "." + method + parameters;
  }
}

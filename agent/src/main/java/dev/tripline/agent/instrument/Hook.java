package dev.tripline.agent.instrument;

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
    RETURN
  }

  /** A value the hook passes: its source and, for an argument, its index (0 = first parameter). */
  static final class Value {
    static final Value NONE = new Value(Source.NONE, -1);
    static final Value THIS = new Value(Source.THIS, -1);
    static final Value RETURN = new Value(Source.RETURN, -1);
    final Source source;
    final int index;

    private Value(Source source, int index) {
      this.source = source;
      this.index = index;
    }

    static Value arg(int index) {
      return new Value(Source.ARG, index);
    }
  }

  final String name;

  /** Internal name of the class ("java/io/FileInputStream", "io/netty/channel/unix/Socket"). */
  final String owner;

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
  final int action;
  final Value a;
  final Value b;
  final Value n;
  HookGroup group;
  int id = -1;
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
      boolean handoff,
      int action,
      Value a,
      Value b,
      Value n) {
    this.name = name;
    this.owner = owner;
    this.library =
        !(owner.startsWith("java/")
            || owner.startsWith("javax/")
            || owner.startsWith("sun/")
            || owner.startsWith("jdk/")
            || owner.startsWith("com/sun/"));
    this.method = method;
    this.parameters = parameters;
    this.handoff = handoff;
    this.action = action;
    this.a = a;
    this.b = b;
    this.n = n;
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
    return new Hook(name, owner, method, parameters, false, action, a, b, n);
  }

  /**
   * Not a hook: a library class that does I/O the agent cannot see (a transport with no Java-level
   * choke point yet). Nothing is woven; once the class loads, {@code name} is listed among the
   * missing hooks in every heartbeat, so the blind spot is visible instead of silent.
   */
  static Hook uncovered(String name, String owner) {
    return new Hook(name, owner, UNCOVERED, "()", false, 0, Value.NONE, Value.NONE, Value.NONE);
  }

  /** The method name of an {@link #uncovered} row: no method is called this. */
  static final String UNCOVERED = "<uncovered>";

  boolean isUncovered() {
    return UNCOVERED.equals(method);
  }

  /** A hand-off hook: reported at entry, not bracketed (the I/O it leads to reports on its own). */
  static Hook handoff(
      String name, String owner, String method, String parameters, int action, Value a) {
    return new Hook(name, owner, method, parameters, true, action, a, Value.NONE, Value.NONE);
  }

  public String name() {
    return name;
  }

  public String owner() {
    return owner.replace('/', '.');
  }

  public boolean applied() {
    return applied;
  }

  /**
   * Whether the heartbeat should list this hook: every JDK hook, and a library's once the library
   * is loaded.
   */
  boolean expected() {
    return !library || present;
  }

  @Override
  public String toString() {
    return name + " = " + owner() + "." + method + parameters;
  }
}

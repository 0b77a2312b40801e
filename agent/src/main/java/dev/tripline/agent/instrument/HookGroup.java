package dev.tripline.agent.instrument;

import dev.tripline.agent.record.Observations;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One family of behaviour: the JDK (or library) methods that carry it, the {@code capture} word
 * that turns it on or off, and the code that turns what its hooks pass into observations for the
 * recorder. A new kind of behaviour (say JDBC connects) is a new group registered in {@link
 * Hooks#GROUPS}, plus its row in the collector's kind table.
 */
public abstract class HookGroup {
  private final String capture;

  /**
   * {@code capture}: the word of the {@code capture} setting that enables this group ("file",
   * "net", …).
   */
  protected HookGroup(String capture) {
    this.capture = capture;
  }

  public final String capture() {
    return capture;
  }

  /** This group's hooks. Built once; plain data, cheap to load before {@code main}. */
  public abstract List<Hook> hooks();

  /**
   * One call of one of this group's hooks (on the application's thread; after {@code main}
   * started). {@code action} is the hook's declared action; {@code a}, {@code b}, {@code n} hold
   * what it declared.
   */
  public abstract void observe(
      int action,
      @Nullable Object a,
      @Nullable Object b,
      int n,
      @Nullable Throwable error,
      Observations to);

  /**
   * The entry decision of one of this group's guarded hooks (protect mode, before the call runs):
   * {@code to} is protect mode's decisions, {@code n} holds 1 where the hook declared the return
   * value. Decoded exactly as {@link #observe} decodes, with no outcome. A group whose hooks repeat
   * on a hot path overrides it to take its common hooks by a short route of its own: this call site
   * then sees only guarded groups and only the decisions, whereas {@link #observe}'s sees every
   * group and both the recorder and the decisions — a short monomorphic route the JIT inlines into
   * the dispatcher's decision, instead of a shared, polluted one it must call.
   */
  public void decide(int action, @Nullable Object a, @Nullable Object b, int n, Observations to) {
    observe(action, a, b, n, null, to);
  }

  /**
   * What this group's hooks report is context for events (a request's scope, a task's hand-off),
   * not behaviour: not counted as events seen.
   */
  public Context context() {
    return Context.NONE;
  }

  /** What kind of context a group's hooks report, if any. */
  public enum Context {
    NONE,
    /** A request's scope or route: counted as request reports, and its caller checked. */
    REQUEST,
    /** A task handed to another thread: not counted (a pool may hand over millions). */
    TASK
  }
}

package dev.tripline.agent.protect;

import dev.tripline.agent.record.EntryCandidates;
import dev.tripline.agent.record.Observations;
import dev.tripline.model.Disposition;
import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import dev.tripline.model.protect.ProtectionJudge;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Protect mode's decision at the ENTRY of a guarded hook, before any I/O: the hook group decodes
 * its arguments into these typed calls exactly as at exit, with no outcome yet. A call whose target
 * has a cached verdict costs a lookup; a new target is described as the recorder would describe it
 * ({@link EntryCandidates}), judged, cached, and — when refused — reported at once as an event with
 * its disposition ({@code WOULD_BLOCK} in dry-run, {@code BLOCKED} in block) and rule. In block a
 * refusal throws {@link RefusedCall}, which the dispatcher turns into the hooked method's own
 * exception. Only the guarded kinds reach here: connects, file opens, deletes, renames, spawns.
 */
public final class EntryDecisions implements Observations {
  private static final String AGENT_KAFKA_THREAD = "kafka-producer-network-thread | tripline";

  private final ProtectionState state;
  private final EntryCandidates candidates;
  private final BooleanSupplier markAgentThread;
  private final Verdicts verdicts;

  /** Shared with the twin, as the verdicts are ({@link #process}). */
  private final AtomicReference<@Nullable LastSpawn> lastSpawn;

  private final BooleanSupplier countsTrusted;
  private final BooleanSupplier libraryFrames;

  /** The count covers every frame of its categories (no {@code context.frames} entry adds any). */
  private final boolean countable;

  /**
   * False in the twin for threads the gate's count shows without a counted context frame ({@link
   * #onFramelessThread}); true (walk when the rules read frames) otherwise.
   */
  private final boolean framesOnThread;

  /** The mask bits of the counted categories ({@code callsite.ContextFrames.COUNTED}). */
  private final long countedMask;

  /**
   * @param markAgentThread marks the current thread as the agent's when its stack proves it (the
   *     agent's Kafka sender on its first connect); see {@code gate.Gate.markAgentThread}
   * @param countsTrusted false once a class with counted frames could not be woven: then no count
   *     proves anything (see {@code instrument.ContextCounts})
   * @param libraryFrames true once a library class of a counted category that is not marked per
   *     thread was loaded (Jackson, SpEL, Groovy…): their frames go uncounted
   */
  public EntryDecisions(
      ProtectionState state,
      EntryCandidates candidates,
      BooleanSupplier markAgentThread,
      BooleanSupplier countsTrusted,
      BooleanSupplier libraryFrames) {
    this.state = state;
    this.candidates = candidates;
    this.markAgentThread = markAgentThread;
    this.verdicts = new Verdicts(state.verdictsDropped::increment);
    this.lastSpawn = new AtomicReference<>();
    this.countedMask = candidates.countedMask();
    this.countable = candidates.countable();
    this.countsTrusted = countsTrusted;
    this.libraryFrames = libraryFrames;
    this.framesOnThread = true;
  }

  /** Without a context frame count: every call whose verdict reads the stack walks it. */
  public EntryDecisions(
      ProtectionState state, EntryCandidates candidates, BooleanSupplier markAgentThread) {
    this(state, candidates, markAgentThread, () -> false, () -> true);
  }

  private EntryDecisions(EntryDecisions twin, boolean framesOnThread) {
    this.state = twin.state;
    this.candidates = twin.candidates;
    this.markAgentThread = twin.markAgentThread;
    this.verdicts = twin.verdicts; // one cache for both
    this.lastSpawn = twin.lastSpawn;
    this.countedMask = twin.countedMask;
    this.countable = twin.countable;
    this.countsTrusted = twin.countsTrusted;
    this.libraryFrames = twin.libraryFrames;
    this.framesOnThread = framesOnThread;
  }

  /**
   * These decisions, sharing their verdicts, for a call on a thread whose context frame count (the
   * gate's, read with the call's own bracket: no second thread-local read) is zero.
   */
  public EntryDecisions onFramelessThread() {
    return new EntryDecisions(this, false);
  }

  @Override
  public void connect(@Nullable InetAddress remote, int port, @Nullable Throwable error) {
    ProtectionState.InForce f = state.current();
    if (remote == null || f.off() || agentsOwnKafkaClient()) {
      return;
    }
    Verdict head = verdicts.peer(remote, port, f.generation);
    Verdict v = holding(f, head, EventKind.NET_CONNECT);
    if (v == null) {
      v = judge(f, EventKind.NET_CONNECT, remote, null, port, head);
      if (v.cacheable()) {
        verdicts.putPeer(remote, port, v);
      }
    }
    enforce(f, v, remote, port);
  }

  @Override
  public void connectChannel(
      @Nullable Object channel,
      @Nullable Object remote,
      boolean connected,
      @Nullable Throwable error) {
    if (remote instanceof InetSocketAddress) {
      InetSocketAddress isa = (InetSocketAddress) remote;
      if (isa.getAddress() != null) { // unresolved: the JDK refuses it, no I/O to judge
        connect(isa.getAddress(), isa.getPort(), null);
      }
    } else if (remote != null) {
      unix(EventKind.NET_CONNECT, remote, null);
    }
  }

  @Override
  public void file(EventKind kind, @Nullable String path, @Nullable Throwable error) {
    ProtectionState.InForce f = state.current();
    if (path == null || f.off()) {
      return;
    }
    enforce(f, cached(f, kind, path, path, null), path, -1);
  }

  @Override
  public void rename(@Nullable String from, @Nullable String to, @Nullable Throwable error) {
    ProtectionState.InForce f = state.current();
    if (from == null || f.off()) {
      return;
    }
    // renames are rare: the key is built per call
    String key = from + '\u0000' + (to == null ? "" : to);
    enforce(f, cached(f, EventKind.FILE_RENAME, key, from, to), from, -1);
  }

  @Override
  public void process(
      String @Nullable [] argv, @Nullable String workingDir, @Nullable Throwable error) {
    ProtectionState.InForce f = state.current();
    if (argv == null || argv.length == 0 || f.off()) {
      return;
    }
    // Cached by the command line and directory as given, like a path (describing the program
    // costs ~0.5 ms of CPU: docs/benchmarks.md); the command line spawned last is compared as it
    // is, without building its key (code next to a fork runs cold: a key and a lookup cost ~8 µs).
    // The spawn rules read context frames: walked only on a thread whose count says one may be
    // there. A program replaced in place under a command line already judged keeps its verdict
    // until the policy changes, as the recorder identifies a program once per command line
    // (docs/detection.md).
    LastSpawn last = lastSpawn.get();
    String key = null;
    Verdict head;
    if (last != null && last.head.generation == f.generation && last.is(argv, workingDir)) {
      head = last.head;
    } else {
      key = spawnKey(argv, workingDir);
      head = key == null ? null : verdicts.get(EventKind.PROCESS_SPAWN, key, f.generation);
      if (head != null) {
        lastSpawn.set(new LastSpawn(argv, workingDir, head));
      }
    }
    Verdict v = holding(f, head, EventKind.PROCESS_SPAWN);
    if (v == null) {
      if (key == null) {
        key = spawnKey(argv, workingDir);
      }
      v = judgeSpawn(f, argv, workingDir, head);
      if (key != null && v.cacheable()) {
        verdicts.put(EventKind.PROCESS_SPAWN, key, v);
        lastSpawn.set(new LastSpawn(argv, workingDir, v)); // v heads the key's verdicts now
      }
    }
    enforce(f, v, String.valueOf(argv[0]), -1);
  }

  /** The command line spawned last whose verdicts are cached, and their head (immutable). */
  private static final class LastSpawn {
    private final @Nullable String[] argv;
    private final @Nullable String workingDir;
    final Verdict head;

    LastSpawn(@Nullable String[] argv, @Nullable String workingDir, Verdict head) {
      this.argv = argv.clone(); // the caller's array is not ours to keep
      this.workingDir = workingDir;
      this.head = head;
    }

    /** The same command line and directory, compared as {@link #spawnKey} would key them. */
    boolean is(@Nullable String[] other, @Nullable String dir) {
      if (other.length != argv.length || !Objects.equals(dir, workingDir)) {
        return false;
      }
      for (int i = 0; i < argv.length; i++) {
        if (!Objects.equals(argv[i] == null ? "" : argv[i], other[i] == null ? "" : other[i])) {
          return false;
        }
      }
      return true;
    }
  }

  /** Longest command line (all arguments) whose verdict is cached; a longer one is judged anew. */
  static final int MAX_SPAWN_KEY = 4096;

  /**
   * "A", then each argument and the directory NUL-terminated (a NUL never reaches a spawn: the JDK
   * refuses it), so no two command lines share a key; null past {@link #MAX_SPAWN_KEY}.
   */
  static @Nullable String spawnKey(String[] argv, @Nullable String workingDir) {
    int length = workingDir == null ? 1 : workingDir.length() + 1;
    for (String a : argv) {
      length += (a == null ? 0 : a.length()) + 1;
      if (length > MAX_SPAWN_KEY) {
        return null;
      }
    }
    StringBuilder b = new StringBuilder(length + 1).append('A');
    for (String a : argv) {
      b.append(a == null ? "" : a).append('\u0000');
    }
    return b.append(workingDir == null ? "" : workingDir).append('\u0000').toString();
  }

  /**
   * A spawn judged: as {@link #judge}, but a refusal is reported once per rule and program (a loop
   * of refused spawns is counted, not re-sent; "R" keys never meet the "A" keys of verdicts).
   */
  private Verdict judgeSpawn(
      ProtectionState.InForce f,
      String[] argv,
      @Nullable String workingDir,
      @Nullable Verdict head) {
    Event.Builder c = candidates.candidate(EventKind.PROCESS_SPAWN, argv, workingDir, 0);
    if (c == null) {
      return new Verdict(f.generation, null); // excluded: whoever calls
    }
    Event e = c.build();
    ProtectionJudge.Refusal r = f.judge.judge(e);
    if (r != null) {
      String once = "R" + r.rule + '\u0000' + argv[0];
      if (verdicts.get(EventKind.PROCESS_SPAWN, once, f.generation) == null) {
        verdicts.put(EventKind.PROCESS_SPAWN, once, new Verdict(f.generation, r));
        report(f, c, r);
      }
    }
    return keyedBy(f, EventKind.PROCESS_SPAWN, e, r, head);
  }

  @Override
  public void unix(EventKind kind, @Nullable Object target, @Nullable Throwable error) {
    ProtectionState.InForce f = state.current();
    String path = EntryCandidates.unixPath(target);
    if (kind != EventKind.NET_CONNECT || path == null || path.isEmpty() || f.off()) {
      return;
    }
    enforce(f, cached(f, kind, path, path, null), path, -1);
  }

  /** The verdict on a path-keyed call: a cached one that holds for it, else the judge's. */
  private Verdict cached(
      ProtectionState.InForce f,
      EventKind kind,
      String key,
      String target,
      @Nullable String extra) {
    Verdict head = verdicts.get(kind, key, f.generation);
    Verdict v = holding(f, head, kind);
    if (v == null) {
      v = judge(f, kind, target, extra, 0, head);
      if (v.cacheable()) {
        verdicts.put(kind, key, v);
      }
    }
    return v;
  }

  /**
   * The cached verdict of this target that holds for this call, or null. A verdict the judge made
   * from the target alone holds for every call — but a refused file may still be opened by class
   * loading (the stack excuses it, so a refusal is checked against it); one that read the context
   * categories on the stack holds for calls with the same categories (one stack walk, no naming).
   */
  private @Nullable Verdict holding(
      ProtectionState.InForce f, @Nullable Verdict head, EventKind kind) {
    if (head == null) {
      return null;
    }
    if (head.anyStack()) {
      boolean excused =
          head.refusal != null && EntryCandidates.isFile(kind) && candidates.loadingCode();
      return excused ? null : head;
    }
    return head.under(contexts(f, kind));
  }

  /**
   * The key of this call's context categories, under which a verdict that read them is cached and
   * reused: the mask of the categories on the stack ({@code ContextFrames.onStack}, one walk) — but
   * when the judge refuses this kind under context frames only with a frame of a counted category
   * ({@link ProtectionState.InForce#countable}: JNDI for a connect; JNDI, deserialization,
   * script/EL, XML entity for a spawn), every stack without such a frame gets the same answer, the
   * answer for no context at all: key 0. A thread whose context frame count is 0 ({@link
   * #onFramelessThread}) provably has none (the count is woven into every such method of the JDK,
   * {@code instrument.ContextCounts}) unless a library class of such a category is loaded ({@link
   * ProtectionState.InForce#markedOnly}): key 0 without a walk. A walked stack without one: key 0
   * as well, so the two agree (a call under reflection or a directory frame only reuses the same
   * verdict).
   */
  private long contexts(ProtectionState.InForce f, EventKind kind) {
    if (f.countable.contains(kind)) {
      if (!framesOnThread
          && countable
          && countsTrusted.getAsBoolean()
          && (f.markedOnly.contains(kind) || !libraryFrames.getAsBoolean())) {
        return 0;
      }
      state.contextWalks.increment();
      long mask = candidates.contextsOnStack();
      return mask >= 0 && (mask & countedMask) == 0 ? 0 : mask;
    }
    state.contextWalks.increment();
    return candidates.contextsOnStack();
  }

  /**
   * The judge's verdict on this call, keyed by what the judge read: the target alone (holds for
   * every call), the context categories on the stack too (holds under the same categories), or more
   * (holds for this call only). A refusal is reported at once with its disposition (the call's own
   * report at exit, in dry-run, folds into the same alert).
   *
   * @param head the target's cached verdicts under other context categories, kept behind this one
   */
  private Verdict judge(
      ProtectionState.InForce f,
      EventKind kind,
      Object target,
      @Nullable Object extra,
      int port,
      @Nullable Verdict head) {
    Event.Builder described = candidates.described(kind, target, extra, port);
    if (described == null) {
      return new Verdict(f.generation, null); // excluded, the JDK's own: whoever calls
    }
    Event.Builder candidate = candidates.onStack(kind, described);
    if (candidate == null) {
      return Verdict.thisCall(f.generation, null); // class loading: this call's stack excuses it
    }
    Event e = candidate.build();
    ProtectionJudge.Refusal r = f.judge.judge(e);
    if (r != null) {
      report(f, candidate, r);
    }
    return keyedBy(f, kind, e, r, head);
  }

  /** The verdict {@code r} on {@code e}, keyed by what the judge read of the stack beside it. */
  private Verdict keyedBy(
      ProtectionState.InForce f,
      EventKind kind,
      Event e,
      ProtectionJudge.@Nullable Refusal r,
      @Nullable Verdict head) {
    switch (f.judge.reads(e)) {
      case NONE:
        return new Verdict(f.generation, r);
      case CONTEXTS:
        long contexts = contexts(f, kind);
        return contexts < 0
            ? Verdict.thisCall(f.generation, r)
            : Verdict.under(contexts, f.generation, r, head);
      case CALL_SITE:
        return Verdict.thisCall(f.generation, r);
    }
    return Verdict.thisCall(f.generation, r);
  }

  /** Sends the refused call as an event with its disposition and rule. */
  private void report(
      ProtectionState.InForce f, Event.Builder candidate, ProtectionJudge.Refusal r) {
    boolean block = f.block();
    candidate
        .setDisposition(block ? Disposition.BLOCKED : Disposition.WOULD_BLOCK)
        .setProtectionRule(r.rule);
    if (block) {
      candidate.setSuccess(false).setError(errorClass(candidate.getKind()));
    } else {
      candidate.setSuccess(true);
    }
    candidates.report(candidate.build());
  }

  /** The exception class the application gets, named in the event as a failed call's is. */
  private static String errorClass(EventKind kind) {
    switch (kind) {
      case NET_CONNECT:
        return "java.net.ConnectException";
      case PROCESS_SPAWN:
        return "java.io.IOException";
      case FILE_READ:
      case FILE_WRITE:
      case FILE_DELETE:
      case FILE_RENAME:
        return "java.nio.file.AccessDeniedException";
      case EVENT_KIND_UNSPECIFIED:
      case NET_LISTEN:
      case NET_ACCEPT:
      case DATAGRAM:
      case DNS_LOOKUP:
      case NATIVE_LOAD:
      case CODE_ORIGIN:
      case UNRECOGNIZED:
        return "";
    }
    return "";
  }

  private void enforce(ProtectionState.InForce f, Verdict v, Object target, int port) {
    ProtectionJudge.Refusal r = v.refusal;
    if (r == null) {
      return;
    }
    if (!f.block()) {
      state.wouldBlock.increment();
      return;
    }
    state.blocked.increment();
    String shown =
        target instanceof InetAddress
            ? ((InetAddress) target).getHostAddress() + ":" + port
            : String.valueOf(target);
    throw new RefusedCall(r.rule, shown);
  }

  /**
   * The agent's own Kafka client connecting: marked as the agent's (the gate checks its stack), and
   * never judged.
   */
  private boolean agentsOwnKafkaClient() {
    return Thread.currentThread().getName().startsWith(AGENT_KAFKA_THREAD)
        && markAgentThread.getAsBoolean();
  }

  // Not guarded: never refused (watched only).

  @Override
  public void finishConnect(@Nullable Object channel, boolean connected, @Nullable Throwable e) {}

  @Override
  public void datagram(@Nullable Object target, @Nullable Throwable error) {}

  @Override
  public void listen(
      @Nullable Object server, @Nullable Object requested, @Nullable Throwable error) {}

  @Override
  public void accept(@Nullable InetAddress remote, int localPort) {}

  @Override
  public void acceptSocket(@Nullable Socket socket) {}

  @Override
  public void acceptChannel(@Nullable Object channel) {}

  @Override
  public void dns(@Nullable String host, Object @Nullable [] addresses, @Nullable Throwable e) {}

  @Override
  public void reverseDns(
      @Nullable InetAddress address, @Nullable String name, @Nullable Throwable error) {}

  @Override
  public void jndiDns(@Nullable Object name) {}

  @Override
  public void listing(@Nullable String path, @Nullable Throwable error) {}

  @Override
  public void spawnEnvironment(@Nullable Object environment) {}

  @Override
  public void nativeLoad(
      @Nullable String path, @Nullable Class<?> forClass, @Nullable Throwable error) {}

  @Override
  public void httpRequest(@Nullable Object request) {}

  @Override
  public void eventLoopRequest(@Nullable Object target) {}

  // A request's scope and route are context for events, never a call protection refuses.
  @Override
  public void request(@Nullable Object request, boolean start) {}

  @Override
  public void requestRoute(@Nullable Object exchange) {}
}

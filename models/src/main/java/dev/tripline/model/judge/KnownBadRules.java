package dev.tripline.model.judge;

import dev.tripline.model.CodeContext;
import dev.tripline.model.Event;
import dev.tripline.model.EventKind;
import dev.tripline.model.MitreTechnique;
import dev.tripline.model.Severity;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Behaviour that is bad whatever a service's profile says: a JVM spawning a shell, reading
 * credentials, calling the cloud metadata endpoint, a JNDI lookup reaching out, a deserializer
 * spawning a process. Built-in rules ship in {@code known-bad.rules}; users add their own file in
 * the same format. Rules read the canonical target (real path, folded) and, through the optional
 * {@code when} field, the code context frames, the call-site class and the call-site jar.
 */
public final class KnownBadRules {
  static final List<String> MATCHES =
      List.of("exec", "path", "host", "port", "socket", "library", "env", "any");

  /** Extra conditions of a rule, all of which must hold; null fields are not checked. */
  public static final class When {
    static final When ALWAYS = new When(null, null, null, null, null, null, null, null, null, null);

    private final @Nullable Set<EventKind> kinds;
    private final @Nullable List<String> contexts;
    private final @Nullable List<Pattern> classes;
    private final @Nullable List<Pattern> jars;
    private final @Nullable List<String> withoutContexts;
    private final @Nullable List<String> options;
    private final @Nullable List<Pattern> notJars;
    private final @Nullable Boolean writable;
    private final @Nullable Boolean listing;
    private final @Nullable RoutePatterns routes;

    public When(
        @Nullable Set<EventKind> kinds,
        @Nullable List<String> contexts,
        @Nullable List<Pattern> classes,
        @Nullable List<Pattern> jars,
        @Nullable List<String> withoutContexts,
        @Nullable List<String> options,
        @Nullable List<Pattern> notJars,
        @Nullable Boolean writable,
        @Nullable Boolean listing,
        @Nullable RoutePatterns routes) {
      this.kinds = kinds;
      this.contexts = contexts;
      this.classes = classes;
      this.jars = jars;
      this.withoutContexts = withoutContexts;
      this.options = options;
      this.notJars = notJars;
      this.writable = writable;
      this.listing = listing;
      this.routes = routes;
    }

    public When(
        @Nullable Set<EventKind> kinds,
        @Nullable List<String> contexts,
        @Nullable List<Pattern> classes,
        @Nullable List<Pattern> jars) {
      this(kinds, contexts, classes, jars, null, null, null, null, null, null);
    }

    public @Nullable Set<EventKind> kinds() {
      return kinds;
    }

    public @Nullable List<String> contexts() {
      return contexts;
    }

    public @Nullable List<Pattern> classes() {
      return classes;
    }

    public @Nullable List<Pattern> jars() {
      return jars;
    }

    public @Nullable List<String> withoutContexts() {
      return withoutContexts;
    }

    public @Nullable List<String> options() {
      return options;
    }

    public @Nullable List<Pattern> notJars() {
      return notJars;
    }

    public @Nullable Boolean writable() {
      return writable;
    }

    public @Nullable Boolean listing() {
      return listing;
    }

    /** Whether this condition reads the code on the stack: context frames or the call site. */
    boolean readsContexts() {
      return contexts != null || withoutContexts != null;
    }

    boolean readsCallSite() {
      return classes != null || jars != null || notJars != null;
    }

    /** Whether this condition reads the request the call served (differs from call to call). */
    boolean readsRequest() {
      return routes != null;
    }

    boolean holds(Event e) {
      if (kinds != null && !kinds.contains(e.getKind())) return false;
      // notjar= excuses code in the named artifacts (the jar itself, never its outer deployable)
      if (notJars != null && any(notJars, e.getCallSite().getJarName())) return false;
      if (writable != null && writable != (e.hasCode() && e.getCode().getWritableDir())) {
        return false;
      }
      // listing=true: a directory listed (FILE_READ with FileTarget.directory), not a file read
      if (listing != null && listing != (e.hasFile() && e.getFile().getDirectory())) return false;
      if (contexts != null && context(e) == null) return false;
      if (withoutContexts != null && hasAny(e, withoutContexts)) return false;
      if (options != null && !Commands.inlineCode(e, options)) return false;
      if (routes != null && !routes.holds(e)) return false;
      if (classes != null && !any(classes, e.getCallSite().getClassName())) return false;
      // jar= names the artifact or the deployable it is nested in ("app.jar" matches every jar
      // inside it)
      return jars == null
          || any(jars, e.getCallSite().getJarName())
          || (!e.getCallSite().getArchive().isEmpty() && any(jars, e.getCallSite().getArchive()));
    }

    private static boolean hasAny(Event e, List<String> categories) {
      for (CodeContext c : e.getContextsList()) {
        if (categories.contains(c.getCategory())) return true;
      }
      return false;
    }

    /** The first context frame of a category this rule names, or null. */
    @Nullable CodeContext context(Event e) {
      if (contexts == null) return null;
      for (CodeContext c : e.getContextsList()) {
        if (contexts.contains(c.getCategory()) || contexts.contains("*")) return c;
      }
      return null;
    }
  }

  /**
   * One rule. {@code addresses}: the IP literals among a host rule's patterns, as {@link
   * IpLiteral#key} keys (an address matches by value, whatever its spelling). {@code blocks}: the
   * kinds protect mode may refuse when this rule breaks (the rule's {@code block} field; empty: the
   * rule only alerts).
   */
  public static final class Rule {
    private final String id;
    private final String match;
    private final List<Pattern> patterns;
    private final Severity severity;
    private final MitreTechnique mitre;
    private final String title;
    private final When when;
    private final Set<String> addresses;
    private final Set<EventKind> blocks;

    public Rule(
        String id,
        String match,
        List<Pattern> patterns,
        Severity severity,
        MitreTechnique mitre,
        String title,
        When when,
        Set<String> addresses,
        Set<EventKind> blocks) {
      this.id = id;
      this.match = match;
      this.patterns = patterns;
      this.severity = severity;
      this.mitre = mitre;
      this.title = title;
      this.when = when;
      this.addresses = addresses;
      this.blocks = blocks;
    }

    public Rule(
        String id,
        String match,
        List<Pattern> patterns,
        Severity severity,
        MitreTechnique mitre,
        String title,
        When when) {
      this(id, match, patterns, severity, mitre, title, when, Set.of(), Set.of());
    }

    public Rule(
        String id,
        String match,
        List<Pattern> patterns,
        Severity severity,
        MitreTechnique mitre,
        String title) {
      this(id, match, patterns, severity, mitre, title, When.ALWAYS);
    }

    public String id() {
      return id;
    }

    public String match() {
      return match;
    }

    public List<Pattern> patterns() {
      return patterns;
    }

    public Severity severity() {
      return severity;
    }

    public MitreTechnique mitre() {
      return mitre;
    }

    public String title() {
      return title;
    }

    public When when() {
      return when;
    }

    public Set<String> addresses() {
      return addresses;
    }

    /** The kinds protect mode may refuse when this rule breaks; empty when it only alerts. */
    public Set<EventKind> blocks() {
      return blocks;
    }

    @Override
    public String toString() {
      return "Rule[" + id + "]";
    }

    boolean matches(String value) {
      if (!addresses.isEmpty()) {
        String ip = IpLiteral.key(value);
        if (ip != null && addresses.contains(ip)) return true;
      }
      return any(patterns, value);
    }

    /** The context frame that made this rule fire, if it reads contexts. */
    public Optional<CodeContext> contextOf(Event e) {
      return Optional.ofNullable(when.context(e));
    }
  }

  private final List<Rule> rules;

  /** Per kind, the rules that may block it, in file order (protect mode reads only these). */
  private final Map<EventKind, Rule[]> blocking = new EnumMap<>(EventKind.class);

  /** Package-private: tests build rule sets the file format refuses. */
  KnownBadRules(List<Rule> rules) {
    this.rules = List.copyOf(rules);
    for (EventKind kind : EventKind.values()) {
      List<Rule> mayBlock = new ArrayList<>();
      for (Rule r : this.rules) {
        if (r.blocks().contains(kind)) mayBlock.add(r);
      }
      if (!mayBlock.isEmpty()) blocking.put(kind, mayBlock.toArray(new Rule[0]));
    }
  }

  /** The built-in rules plus, when given, the user's file. */
  public static KnownBadRules load(String userFile) {
    List<Rule> rules = new ArrayList<>();
    try (InputStream in = KnownBadRules.class.getResourceAsStream("known-bad.rules")) {
      if (in == null) throw new IOException("known-bad.rules is not beside " + KnownBadRules.class);
      rules.addAll(parse(new InputStreamReader(in, StandardCharsets.UTF_8), "built-in", true));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the built-in rules", e);
    }
    if (userFile != null && !userFile.isBlank()) {
      try (Reader r = Files.newBufferedReader(Path.of(userFile))) {
        rules.addAll(parse(r, userFile, false));
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "configuration key 'rules.file': cannot read " + userFile + ": " + e.getMessage());
      }
    }
    return new KnownBadRules(rules);
  }

  static List<Rule> parse(Reader reader, String source) throws IOException {
    return parse(reader, source, true);
  }

  /**
   * {@code mayBlock}: whether the file's rules may carry the {@code block} field — the built-in
   * file's do; a user's file is the collector's alone (the agent judges with the built-in rules),
   * so a flag there would promise a refusal no agent makes: refused with the line.
   */
  static List<Rule> parse(Reader reader, String source, boolean mayBlock) throws IOException {
    List<Rule> out = new ArrayList<>();
    BufferedReader r = new BufferedReader(reader);
    int lineNo = 0;
    for (String line; (line = r.readLine()) != null; ) {
      lineNo++;
      String t = line.trim();
      if (t.isEmpty() || t.startsWith("#")) {
        continue;
      }
      String at = source + ":" + lineNo + ": ";
      String[] f = t.split("\\|", -1);
      if (f.length < 6 || f.length > 8) {
        throw new IllegalArgumentException(
            at + "expected 6 to 8 fields separated by |, found " + f.length);
      }
      String id = f[0].trim();
      if (id.isEmpty()) {
        throw new IllegalArgumentException(at + "the rule has no id");
      }
      String match = f[1].trim();
      if (!MATCHES.contains(match)) {
        throw new IllegalArgumentException(
            at + "match must be one of " + String.join(", ", MATCHES) + ", not '" + match + "'");
      }
      List<Pattern> patterns = globs(f[2]);
      if (patterns.isEmpty()) {
        throw new IllegalArgumentException(at + "no patterns (use * to match anything)");
      }
      Severity severity;
      try {
        severity = Severity.valueOf(f[3].trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(at + "unknown severity '" + f[3].trim() + "'");
      }
      When when = f.length >= 7 ? when(f[6], at) : When.ALWAYS;
      Set<EventKind> blocks = f.length == 8 ? blocks(f[7], when, at) : Set.of();
      if (!blocks.isEmpty() && !mayBlock) {
        throw new IllegalArgumentException(
            at
                + "only the built-in rules may block (the agent judges with those); remove '"
                + f[7].trim()
                + "'");
      }
      Set<String> addresses = new HashSet<>();
      if (match.equals("host")) {
        for (String p : f[2].split(",", -1)) {
          String ip = p.contains("*") ? null : IpLiteral.key(p);
          if (ip != null) addresses.add(ip);
        }
      }
      out.add(
          new Rule(
              id,
              match,
              patterns,
              severity,
              Mitre.byId(f[4].trim()),
              f[5].trim(),
              when,
              Set.copyOf(addresses),
              blocks));
    }
    return out;
  }

  /**
   * The 8th field: empty (the rule only alerts), {@code block} (protect mode may refuse every
   * enforceable kind the rule can match: its {@code kind=} condition's, else all) or {@code
   * block=KIND,…} (only those). A kind that is never refused, or a flag that leaves no kind, is an
   * error: a rule must not seem to block what it never can.
   */
  static Set<EventKind> blocks(String field, When when, String at) {
    String f = field.trim();
    if (f.isEmpty()) return Set.of();
    Set<EventKind> matchable = EnumSet.copyOf(KindShapes.ENFORCEABLE);
    if (when.kinds() != null) matchable.retainAll(when.kinds());
    Set<EventKind> out;
    if (f.equals("block")) {
      out = matchable;
    } else if (f.startsWith("block=")) {
      out = EnumSet.noneOf(EventKind.class);
      for (String k : f.substring("block=".length()).split(",", -1)) {
        if (k.isBlank()) continue;
        EventKind kind;
        try {
          kind = EventKind.valueOf(k.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(at + "unknown event kind '" + k.trim() + "'");
        }
        if (!KindShapes.ENFORCEABLE.contains(kind)) {
          throw new IllegalArgumentException(
              at + kind + " is never refused (enforceable: " + KindShapes.ENFORCEABLE + ")");
        }
        if (!matchable.contains(kind)) {
          throw new IllegalArgumentException(at + "the rule never matches " + kind);
        }
        out.add(kind);
      }
    } else {
      throw new IllegalArgumentException(
          at + "the 8th field is block or block=KIND,…, not '" + f + "'");
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(at + "block leaves no kind this rule can refuse");
    }
    return Collections.unmodifiableSet(out);
  }

  /**
   * {@code context=jndi kind=NET_CONNECT,DNS_LOOKUP class=com.acme.* jar=log4j-core-*}:
   * space-separated, all must hold.
   */
  static When when(String field, String at) {
    Set<EventKind> kinds = null;
    List<String> contexts = null;
    List<Pattern> classes = null;
    List<Pattern> jars = null;
    List<String> withoutContexts = null;
    List<String> options = null;
    List<Pattern> notJars = null;
    Boolean writable = null;
    Boolean listing = null;
    RoutePatterns routes = null;
    for (String cond : field.trim().split("\\s+", -1)) {
      if (cond.isEmpty()) continue;
      int eq = cond.indexOf('=');
      if (eq <= 0 || eq == cond.length() - 1) {
        throw new IllegalArgumentException(
            at + "condition '" + cond + "' is not key=value[,value…]");
      }
      boolean not = cond.charAt(eq - 1) == '!';
      String key = cond.substring(0, not ? eq - 1 : eq);
      String value = cond.substring(eq + 1);
      if (not && !key.equals("context")) {
        throw new IllegalArgumentException(at + "only context may be negated (context!=…)");
      }
      switch (key) {
        case "kind":
          kinds = EnumSet.noneOf(EventKind.class);
          for (String k : value.split(",", -1)) {
            if (k.isBlank()) {
              continue; // "a,b," reads as "a,b"
            }
            try {
              kinds.add(EventKind.valueOf(k.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
              throw new IllegalArgumentException(at + "unknown event kind '" + k.trim() + "'");
            }
          }
          break;
        case "context":
          List<String> categories =
              Arrays.stream(value.toLowerCase(Locale.ROOT).split(",", -1))
                  .filter(c -> !c.isBlank())
                  .collect(Collectors.toUnmodifiableList());
          if (not) withoutContexts = categories;
          else contexts = categories;
          break;
        case "option":
          options =
              Arrays.stream(value.split(",", -1))
                  .filter(o -> !o.isBlank())
                  .collect(Collectors.toUnmodifiableList());
          break;
        case "class":
          classes = globs(value);
          break;
        case "jar":
          jars = globs(value);
          break;
        case "notjar":
          notJars = globs(value);
          break;
        case "writable":
          if (!value.equals("true") && !value.equals("false")) {
            throw new IllegalArgumentException(at + "writable must be true or false");
          }
          writable = Boolean.valueOf(value);
          break;
        case "route":
          routes = RoutePatterns.parse(value, at);
          break;
        case "listing":
          if (!value.equals("true") && !value.equals("false")) {
            throw new IllegalArgumentException(at + "listing must be true or false");
          }
          listing = Boolean.valueOf(value);
          break;
        default:
          throw new IllegalArgumentException(
              at
                  + "unknown condition '"
                  + key
                  + "' (use kind, context, context!=, class, jar, notjar, writable, listing, route or option)");
      }
    }
    return new When(
        kinds,
        contexts,
        classes,
        jars,
        withoutContexts,
        options,
        notJars,
        writable,
        listing,
        routes);
  }

  /** The most severe rule this event breaks (the first of equals), if any. */
  public Optional<Rule> match(Event e) {
    Rule best = null;
    for (Rule rule : rules) {
      if ((best == null || rule.severity().getNumber() > best.severity().getNumber())
          && breaks(rule, e)) {
        best = rule;
      }
    }
    return Optional.ofNullable(best);
  }

  /**
   * The most severe rule that may block this event's kind and that it breaks (the first of equals),
   * or null: what protect mode refuses whatever the profile says. Reads only the rules flagged
   * {@code block} for the kind, so a kind no rule may block costs one map lookup.
   */
  public @Nullable Rule blocking(Event e) {
    Rule[] candidates = blocking.get(e.getKind());
    if (candidates == null) return null;
    Rule best = null;
    for (Rule rule : candidates) {
      if ((best == null || rule.severity().getNumber() > best.severity().getNumber())
          && breaks(rule, e)) {
        best = rule;
      }
    }
    return best;
  }

  /**
   * What, beside the event's target, the answer of {@link #blocking} on it may depend on: {@link
   * StackReads#NONE} when no rule that may block its kind and could match its target (patterns
   * only, conditions ignored: conservative) reads the code on the stack; {@link
   * StackReads#CONTEXTS} when such a rule reads context categories only; {@link
   * StackReads#CALL_SITE} when one reads the call site. Protect mode caches a verdict per target
   * only as far as this allows.
   */
  public StackReads blockingReads(Event e) {
    Rule[] candidates = blocking.get(e.getKind());
    StackReads reads = StackReads.NONE;
    if (candidates == null) return reads;
    for (Rule rule : candidates) {
      When w = rule.when();
      if (!w.readsContexts() && !w.readsCallSite() && !w.readsRequest()) continue;
      if (!targetMatches(rule, e)) continue;
      if (w.readsCallSite() || w.readsRequest()) return StackReads.CALL_SITE; // per call
      reads = StackReads.CONTEXTS;
    }
    return reads;
  }

  /**
   * True when every rule that may block {@code kind} and reads the code on the stack needs a
   * context of one of {@code categories} there ({@code context=} naming only those): on a stack
   * with none of them no such rule fires, whatever else is on it, so the answer is the one for a
   * stack without contexts. False when any such rule reads the call site, names another category
   * (or {@code *}), or fires on an absence only ({@code context!=}). Protect mode skips the stack
   * walk of a connect on a thread that provably has no frame of those categories.
   */
  public boolean blockingContextsNeedAnyOf(EventKind kind, Set<String> categories) {
    Rule[] candidates = blocking.get(kind);
    if (candidates == null) return true;
    for (Rule rule : candidates) {
      When w = rule.when();
      if (w.readsCallSite()) return false;
      if (!w.readsContexts()) continue;
      List<String> needed = w.contexts();
      if (needed == null || !categories.containsAll(needed)) return false;
    }
    return true;
  }

  /** What a judgement reads of the code on the stack, beside the target (widest last). */
  public enum StackReads {
    NONE,
    CONTEXTS,
    CALL_SITE;

    public StackReads or(StackReads other) {
      return compareTo(other) >= 0 ? this : other;
    }
  }

  private static boolean targetMatches(Rule rule, Event e) {
    for (String value : values(rule.match(), e)) {
      if (rule.matches(value)) {
        return true;
      }
    }
    return false;
  }

  private static boolean breaks(Rule rule, Event e) {
    if (!rule.when().holds(e)) return false;
    for (String value : values(rule.match(), e)) {
      if (rule.matches(value)) {
        return true;
      }
    }
    return false;
  }

  private static List<String> values(String match, Event e) {
    switch (match) {
      case "any":
        return List.of("");
      case "exec":
        // the executable and, behind a launcher (env, busybox, ld.so, nohup…), what it runs
        return e.hasProcess() ? Commands.programs(e.getProcess()) : List.of();
      case "path":
        if (!e.hasFile()) return List.of();
        // The judged path (the sensitive file a hard link is, else the real path) judges; the
        // folded lexical path too (a link named ~/.aws/credentials is still that file).
        List<String> paths = new ArrayList<>(4);
        paths.add(Normalizer.judgedPath(e.getFile()));
        addIfNew(paths, Normalizer.fold(e.getFile().getPath()));
        if (!e.getFile().getNewPath().isEmpty()) {
          addIfNew(paths, Normalizer.judgedNewPath(e.getFile()));
          addIfNew(paths, Normalizer.fold(e.getFile().getNewPath()));
        }
        return paths;
      case "env":
        // the loader and interpreter variables the agent found set for the child (NAME=value)
        if (!e.hasProcess()) return List.of();
        List<String> env = e.getProcess().getEnvList();
        return env.subList(0, Math.min(env.size(), Commands.MAX_ARGS)); // a rule's work is capped
      case "library":
        if (!e.hasCode() || e.getKind() != EventKind.NATIVE_LOAD) return List.of();
        // the real path judges; the folded lexical one too (as for files)
        List<String> libs = new ArrayList<>(2);
        libs.add(Normalizer.judgedCodePath(e.getCode()));
        addIfNew(libs, Normalizer.fold(e.getCode().getPath()));
        return libs;
      case "socket":
        return e.hasNetwork() && Normalizer.isUnix(e.getNetwork())
            ? List.of(Normalizer.socketPath(e.getNetwork()))
            : List.of();
      case "host":
        if (e.hasNetwork())
          return List.of(e.getNetwork().getHost().toLowerCase(Locale.ROOT), e.getNetwork().getIp());
        if (e.hasDns() && e.getDns().getReverse()) {
          // a PTR query asks about the address, it does not contact it: the names it gave judge
          List<String> names = new ArrayList<>(2);
          for (String name : e.getDns().getResolvedIpsList()) {
            addIfNew(names, name.toLowerCase(Locale.ROOT));
          }
          return names;
        }
        if (e.hasDns()) return List.of(e.getDns().getQuery().toLowerCase(Locale.ROOT));
        return List.of();
      case "port":
        boolean outbound =
            e.hasNetwork()
                && !Normalizer.isUnix(e.getNetwork())
                && KindShapes.target(e.getKind()) == TargetShape.ENDPOINT;
        return outbound ? List.of(Integer.toString(e.getNetwork().getPort())) : List.of();
      default:
        return List.of();
    }
  }

  private static void addIfNew(List<String> list, String value) {
    if (!value.isEmpty() && !list.contains(value)) list.add(value);
  }

  private static boolean any(List<Pattern> patterns, String value) {
    for (Pattern p : patterns) {
      if (p.matcher(value).matches()) {
        return true;
      }
    }
    return false;
  }

  private static List<Pattern> globs(String commaSeparated) {
    List<Pattern> out = new ArrayList<>();
    for (String p : commaSeparated.split(",", -1)) {
      if (!p.trim().isEmpty()) out.add(glob(p.trim()));
    }
    return out;
  }

  private static Pattern glob(String g) {
    StringBuilder re = new StringBuilder();
    for (String part : g.split("\\*", -1)) {
      if (re.length() > 0) re.append(".*");
      re.append(Pattern.quote(part));
    }
    return Pattern.compile(re.toString());
  }

  /**
   * True when some rule that can apply to {@code kind} has a {@code class=}, {@code jar=} or {@code
   * notjar=} condition (the cache key of such events must hold the call site).
   */
  public boolean readCallSite(EventKind kind) {
    for (Rule r : rules) {
      When w = r.when();
      boolean readsSite = w.classes() != null || w.jars() != null || w.notJars() != null;
      boolean applies =
          (w.kinds() == null || w.kinds().contains(kind))
              && (!r.match().equals("library") || kind == EventKind.NATIVE_LOAD);
      if (readsSite && applies) return true;
    }
    return false;
  }

  /** The rules, built-in first, in file order. */
  public List<Rule> rules() {
    return rules;
  }

  public int size() {
    return rules.size();
  }
}

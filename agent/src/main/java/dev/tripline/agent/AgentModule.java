package dev.tripline.agent;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReader;
import java.lang.module.ModuleReference;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The agent's own module. Everything the agent runs on (its pipeline and the relocated ASM, Kafka
 * client, protobuf, Caffeine, Micrometer) is stored in the jar under {@code inst/}: the classes
 * packed in one entry ({@link ModuleArchive}), the few other resources as entries of their own, so
 * the application's class loaders, class-path scanners and ServiceLoader lookups never see it. It
 * is defined as the named module {@value #NAME}, which exports and opens nothing, by the JDK's own
 * module class loader: code of the application (an unnamed module, which may read and reflect into
 * every unnamed module) can neither {@code setAccessible} a member of an agent object, nor get a
 * private {@code Lookup} into an agent class, nor define a class into the agent's loader (a
 * subclass of {@code ClassLoader} on the class path would hand out its protected {@code
 * defineClass} through {@code MethodHandles.privateLookupIn}: the loader is therefore the JDK's,
 * whose class no one may open).
 *
 * <p>Its exports, all qualified: Kafka's security packages to {@code java.base}, which instantiates
 * login modules and SASL providers by name. premain's hand-over to {@code AgentStarter} needs none:
 * it calls an interface of the shared configuration package ({@code config.AgentEntry}), with the
 * instance {@code AgentStarter}'s initializer offers on premain's thread.
 *
 * <p>What the module reads besides the JDK: the bootstrap loader's unnamed module (the bridge) and
 * the premain loader's (the configuration premain validated, {@code dev.tripline.agent.config}).
 * Its loader's parent is {@link Parent}, which hides {@code sun.misc.Unsafe} from the bundled
 * libraries and hands the shared configuration classes over from the premain loader.
 *
 * <p>This class lives on the application's class path, whose unnamed module is open to the
 * application: everything it keeps is therefore in {@code static final} fields (reflection cannot
 * write those; the archive's index is a read-only buffer), so the module's reader serves the agent
 * jar's {@code inst/} entries and nothing else, whoever asks its loader for a class.
 */
final class AgentModule {
  static final String NAME = "dev.tripline.agent";
  static final String PREFIX = "inst/";

  /**
   * The module's packages, listed when the jar is built: start-up does not scan ~10 000 entries.
   */
  static final String PACKAGES = PREFIX + "module-packages";

  /**
   * Kafka's security packages (login modules, SASL providers), built at run time: the shade plugin
   * relocates string constants that look like a relocated package.
   */
  private static final String KAFKA_SECURITY =
      NAME + ".shaded." + String.join(".", "org", "apache", "kafka", "common", "security");

  /** Shared with premain (which validated the configuration before the module existed). */
  private static final String SHARED = "dev.tripline.agent.config.";

  /** Left out of the module's reads: see {@link Parent}. */
  private static final String UNSUPPORTED = "jdk.unsupported";

  /** The packed agent jar (null when run from a classes directory), open for the JVM's life. */
  private static final @Nullable JarFile JAR;

  private static final String JAR_URI;
  private static final @Nullable IOException FAILURE;

  static {
    JarFile jar = null;
    String uri = "";
    IOException failure = null;
    try {
      File file =
          new File(AgentModule.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (file.isFile()) {
        jar = new JarFile(file, false);
        uri = file.toURI().toString();
        if (jar.getEntry(ModuleArchive.ENTRY) == null) {
          jar.close();
          jar = null;
        }
      }
    } catch (IOException e) {
      failure = e;
    } catch (URISyntaxException | RuntimeException e) {
      failure = new IOException("cannot locate the agent jar: " + e, e);
    }
    JAR = jar;
    JAR_URI = uri;
    FAILURE = failure;
  }

  private AgentModule() {}

  /**
   * An entry of the agent jar outside {@code inst/} (the bridge's classes, the renamed gate), or
   * null when there is none. Read from the jar directly: a class loader's resource lookup asks the
   * boot and platform loaders first, and they look through the JDK's modules in its image (cold
   * code and an image reader opened, on the application's start-up path). From a classes directory,
   * the premain loader's resources.
   */
  static byte @Nullable [] premainEntry(String name) throws IOException {
    if (FAILURE != null) {
      throw FAILURE;
    }
    JarFile jar = JAR;
    if (jar == null) {
      try (InputStream in = AgentModule.class.getClassLoader().getResourceAsStream(name)) {
        return in == null ? null : in.readAllBytes();
      }
    }
    JarEntry entry = jar.getJarEntry(name);
    if (entry == null) {
      return null;
    }
    try (InputStream in = jar.getInputStream(entry)) {
      return in.readAllBytes();
    }
  }

  /**
   * Defines the agent's module in a layer of its own, the half that needs nothing of the bridge:
   * the descriptor, the resolution against the boot layer and the layer with its loader. It is most
   * of the module's cost (cold JDK code: the resolver, the module loader, their lambdas), so
   * premain runs it on a thread of its own while it defines the bridge ({@link Pending}). Null when
   * the agent does not run from a packed jar (a classes directory, as unit tests and IDEs use: the
   * classes are then on the premain loader already, in its unnamed module).
   */
  static ModuleLayer.@Nullable Controller defineLayer(@Nullable Instrumentation inst)
      throws IOException {
    if (FAILURE != null) {
      throw FAILURE;
    }
    JarFile jar = JAR;
    if (jar == null) {
      return null;
    }
    Classes.archive(); // its index read here, on the module's thread, not on premain's
    Set<String> packages = packages(jar);
    // JDK 12+: a module that requires nothing, its configuration given (ModuleDefiner), in a layer
    // of its own. Otherwise it requires java.base and is resolved against the boot layer. Either
    // way the JDK's modules are read through the controller in open(), so no resolver maps another
    // module's exports against these packages.
    Configuration bare = inst == null ? null : bareConfiguration(inst, packages);
    if (bare != null) {
      try {
        return ModuleLayer.defineModulesWithOneLoader(
            bare, List.of(ModuleLayer.empty()), new Parent());
      } catch (RuntimeException e) {
        // the way every JDK takes, below (a new loader: nothing of this one is kept)
      }
    }
    ModuleDescriptor descriptor = ModuleDescriptor.newModule(NAME).packages(packages).build();
    Configuration cf =
        ModuleLayer.boot()
            .configuration()
            .resolve(finder(descriptor), ModuleFinder.of(), Set.of(NAME));
    return ModuleLayer.defineModulesWithOneLoader(cf, List.of(ModuleLayer.boot()), new Parent());
  }

  /**
   * No location: the module loader would otherwise build each class's protection domain from it,
   * opening a URLConnection to the jar for a FilePermission (cold JDK code on the path of premain's
   * first class from the module). Nothing reads the agent's own code sources.
   */
  private static ModuleFinder finder(ModuleDescriptor descriptor) {
    return new Finder(new Reference(descriptor));
  }

  /**
   * The module's configuration, given by {@code ModuleDefiner} in a throwaway loader to whose
   * unnamed module alone {@code jdk.internal.access} is exported (as {@link BootDefiner}'s is
   * {@code jdk.internal.misc}); null on JDK 11 (where that package does not exist) or if anything
   * refuses.
   */
  private static @Nullable Configuration bareConfiguration(
      Instrumentation inst, Set<String> packages) {
    if (Runtime.version().feature() < 12) {
      return null;
    }
    try {
      @SuppressWarnings("unchecked")
      BiFunction<
              Map.Entry<String, Set<String>>,
              Function<ModuleDescriptor, ModuleFinder>,
              Configuration>
          definer =
              (BiFunction<
                      Map.Entry<String, Set<String>>,
                      Function<ModuleDescriptor, ModuleFinder>,
                      Configuration>)
                  TriplineAgent.Throwaway.handOver(
                      inst, "dev.tripline.agent.ModuleDefiner", "jdk.internal.access");
      return definer.apply(Map.entry(NAME, packages), new FinderOf()); // no lambda: none is cold
    } catch (IOException | ReflectiveOperationException | RuntimeException | LinkageError e) {
      return null;
    }
  }

  /**
   * The second half, once the bridge is defined: the module's reads (the bootstrap loader's unnamed
   * module, where the bridge is, and the premain loader's) and its qualified exports; returns the
   * module's class loader. The controller (which could open the module) is dropped when this
   * returns.
   */
  static ClassLoader open(ModuleLayer.Controller controller, Module bridge) {
    Module agent = controller.layer().findModule(NAME).orElseThrow();
    Module premain = AgentModule.class.getClassLoader().getUnnamedModule();
    controller.addReads(agent, bridge);
    controller.addReads(agent, premain);
    for (Module m : ModuleLayer.boot().modules()) {
      String name = m.getName();
      if (!name.equals(UNSUPPORTED)) {
        controller.addReads(agent, m); // what an unnamed module reads: every module of the JDK
      }
    }
    // No export to premain: it reaches AgentStarter through the configuration package's AgentEntry
    // JAAS (LoginContext) and the JCA (Provider.Service, behind Sasl.createSaslClient) instantiate
    // Kafka's login modules and SASL providers by name from java.base: its security packages are
    // exported to java.base alone (public members only; nothing is opened).
    Module javaBase = Object.class.getModule();
    for (String p : agent.getDescriptor().packages()) {
      if (p.startsWith(KAFKA_SECURITY)) {
        controller.addExports(agent, p, javaBase);
      }
    }
    return agent.getClassLoader();
  }

  /**
   * {@link #defineLayer} running on its own thread ({@code tripline-module}) while premain defines
   * the bridge: on a machine with a core to spare, the two cold starts overlap. Held only by
   * premain's frame; the controller is handed over once, to {@link #loader}.
   */
  static final class Pending implements Runnable {
    /**
     * The ASM classes the weaving in premain loads first, in that order (relocated at build time:
     * the name is built at run time, as {@link #KAFKA_SECURITY} is). Pure ASM, linked to nothing of
     * the bridge, so they can be loaded, verified and initialised on this thread, beside premain's,
     * before the bridge is defined.
     */
    private static final String[] WEAVER_CLASSES = {
      "ClassVisitor",
      "ClassWriter",
      "ClassReader",
      "MethodVisitor",
      "Attribute",
      "Context",
      "Type",
      "MethodWriter",
      "Label",
      "FieldVisitor",
      "FieldWriter",
      "AnnotationVisitor",
      "AnnotationWriter",
      "ModuleVisitor",
      "ModuleWriter",
      "RecordComponentVisitor",
      "RecordComponentWriter",
      "SymbolTable",
      "Symbol",
      "SymbolTable$Entry",
      "ByteVector",
      "Frame",
      "CurrentFrame",
      "Handler",
      "Opcodes",
    };

    private final Thread thread = new Thread(this, "tripline-module");
    private final CountDownLatch defined = new CountDownLatch(1);
    private volatile boolean dropped;
    private ModuleLayer.@Nullable Controller controller;
    private @Nullable Throwable failure;
    private long nanos;

    /** For {@code ModuleDefiner}'s export; dropped as the thread starts. */
    private @Nullable Instrumentation inst;

    private Pending(Instrumentation inst) {
      this.inst = inst;
    }

    /** Starts defining the layer; returns at once. */
    static Pending start(Instrumentation inst) {
      Pending p = new Pending(inst);
      p.thread.setDaemon(true);
      p.thread.start();
      return p;
    }

    @Override
    public void run() {
      long t0 = System.nanoTime();
      ClassLoader loader = null;
      try {
        Instrumentation i = inst;
        inst = null; // held for the layer alone
        ModuleLayer.Controller c = defineLayer(i);
        controller = c;
        loader = c == null ? null : c.layer().findLoader(NAME);
      } catch (Throwable e) {
        failure = e;
      } finally {
        nanos = System.nanoTime() - t0;
        defined.countDown(); // happens-before: premain reads the fields above after this
      }
      if (loader != null) {
        preloadWeaver(loader);
      }
    }

    /** The agent will not start (its configuration said so): nothing more is loaded. */
    void drop() {
      dropped = true;
    }

    /**
     * Loads the weaver's ASM classes while premain defines the bridge and opens the module: work
     * taken off premain's thread on a machine with a core to spare. Premain loads any of them
     * itself that is not there yet; a failure here changes nothing.
     */
    private void preloadWeaver(ClassLoader loader) {
      String asm = NAME + ".shaded." + String.join(".", "net", "bytebuddy", "jar", "asm") + ".";
      for (String name : WEAVER_CLASSES) {
        if (dropped) {
          return;
        }
        try {
          Class.forName(asm + name, true, loader);
        } catch (Throwable e) {
          return; // premain loads what it needs itself
        }
      }
    }

    /** The module's loader once the layer is defined and opened to the bridge ({@link #open}). */
    @Nullable ClassLoader loader(Module bridge) throws IOException, InterruptedException {
      defined.await();
      Throwable e = failure;
      if (e instanceof IOException) {
        throw (IOException) e;
      }
      if (e instanceof RuntimeException) {
        throw (RuntimeException) e;
      }
      if (e instanceof Error) {
        throw (Error) e;
      }
      if (e != null) {
        throw new IOException(e);
      }
      ModuleLayer.Controller c = controller;
      controller = null;
      return c == null ? null : open(c, bridge);
    }

    /** Whether the layer is defined (or failed): {@link #loader} would not wait. */
    boolean defined() {
      return defined.getCount() == 0;
    }

    /** How long the layer took on its own thread: the module phase, measured directly. */
    long nanos() {
      return nanos;
    }
  }

  private static Set<String> packages(JarFile jar) throws IOException {
    JarEntry entry = jar.getJarEntry(PACKAGES);
    if (entry == null) {
      throw new IOException("agent jar is incomplete: " + PACKAGES + " is missing");
    }
    // Split by hand: a Reader would load the charset decoder's classes from the runtime image
    String list;
    try (InputStream in = jar.getInputStream(entry)) {
      list = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Set<String> packages = new HashSet<>();
    for (int start = 0, end; start < list.length(); start = end + 1) {
      end = list.indexOf('\n', start);
      if (end < 0) {
        end = list.length();
      }
      String line = list.substring(start, end).trim();
      if (!line.isEmpty()) {
        packages.add(line);
      }
    }
    return packages;
  }

  /** A resource of the module other than a class: an entry under {@code inst/}. */
  static String entryName(String name) {
    return PREFIX + (name.startsWith("/") ? name.substring(1) : name);
  }

  /**
   * The module's classes, their index read once (on the module's thread, which defines the layer)
   * and kept in a {@code static final} field, as the jar is.
   */
  private static final class Classes {
    private static final @Nullable ModuleArchive ARCHIVE;
    private static final @Nullable IOException FAILURE;

    static {
      ModuleArchive archive = null;
      IOException failure = null;
      JarFile jar = JAR;
      try {
        archive = jar == null ? null : ModuleArchive.open(jar);
        if (jar != null && archive == null) {
          failure = new IOException("agent jar is incomplete: " + ModuleArchive.ENTRY);
        }
      } catch (IOException e) {
        failure = e;
      } catch (RuntimeException e) {
        failure = new IOException("cannot read " + ModuleArchive.ENTRY + ": " + e, e);
      }
      ARCHIVE = archive;
      FAILURE = failure;
    }

    private Classes() {}

    static ModuleArchive archive() throws IOException {
      ModuleArchive archive = ARCHIVE;
      if (archive == null) {
        throw FAILURE != null ? FAILURE : new IOException("no agent jar");
      }
      return archive;
    }
  }

  /**
   * The module loader's parent: the platform loader for what the module does not hold, except
   * {@code sun.misc.Unsafe}, hidden from the bundled libraries (protobuf and lz4 then take their
   * safe code paths, and JDK 24+ prints no "terminally deprecated method in sun.misc.Unsafe"
   * warning into the application's output on our behalf), and the shared configuration classes. It
   * keeps nothing and defines nothing: a class the application defines in it is never returned.
   */
  private static final class Parent extends ClassLoader {
    static {
      registerAsParallelCapable();
    }

    Parent() {
      super("tripline-agent", ClassLoader.getPlatformClassLoader());
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (name.equals("sun.misc.Unsafe")) {
        throw new ClassNotFoundException(name);
      }
      if (name.startsWith(SHARED)) {
        return AgentModule.class.getClassLoader().loadClass(name);
      }
      return ClassLoader.getPlatformClassLoader().loadClass(name);
    }
  }

  /** {@link #finder} as a function (a class, not a method reference: no lambda is spun). */
  private static final class FinderOf implements Function<ModuleDescriptor, ModuleFinder> {
    @Override
    public ModuleFinder apply(ModuleDescriptor descriptor) {
      return finder(descriptor);
    }
  }

  private static final class Finder implements ModuleFinder {
    private final ModuleReference reference;

    Finder(ModuleReference reference) {
      this.reference = reference;
    }

    @Override
    public Optional<ModuleReference> find(String name) {
      return name.equals(NAME) ? Optional.of(reference) : Optional.empty();
    }

    @Override
    public Set<ModuleReference> findAll() {
      return Set.of(reference);
    }
  }

  private static final class Reference extends ModuleReference {
    Reference(ModuleDescriptor descriptor) {
      super(descriptor, null);
    }

    @Override
    public ModuleReader open() {
      return new Reader();
    }
  }

  /**
   * Reads the module's classes from {@link ModuleArchive} and its other resources from the jar's
   * {@code inst/} entries, from static fields alone. A class is read, never found as a URL: the
   * module loader defines classes with {@link #read}, and nothing the agent bundles asks for its
   * own class files as resources.
   */
  private static final class Reader implements ModuleReader {
    private static JarFile jar() throws IOException {
      JarFile jar = JAR;
      if (jar == null) {
        throw new IOException("no agent jar");
      }
      return jar;
    }

    @Override
    public Optional<URI> find(String name) throws IOException {
      String entry = entryName(name);
      return jar().getEntry(entry) == null
          ? Optional.empty()
          : Optional.of(URI.create("jar:" + JAR_URI + "!/" + entry));
    }

    @Override
    public Optional<ByteBuffer> read(String name) throws IOException {
      byte[] bytes = Classes.archive().read(name);
      if (bytes != null) {
        return Optional.of(ByteBuffer.wrap(bytes));
      }
      Optional<InputStream> in = open(name);
      if (in.isEmpty()) {
        return Optional.empty();
      }
      try (InputStream stream = in.get()) {
        return Optional.of(ByteBuffer.wrap(stream.readAllBytes()));
      }
    }

    @Override
    public Optional<InputStream> open(String name) throws IOException {
      byte[] bytes = Classes.archive().read(name);
      if (bytes != null) {
        return Optional.of(new ByteArrayInputStream(bytes));
      }
      JarFile jar = jar();
      JarEntry entry = jar.getJarEntry(entryName(name));
      return entry == null ? Optional.empty() : Optional.of(jar.getInputStream(entry));
    }

    /** Not needed by the module loader; listing the whole jar would only cost start-up. */
    @Override
    public Stream<String> list() {
      return Stream.empty();
    }

    /** The jar stays open for the JVM's life (the module loader keeps no other way to it). */
    @Override
    public void close() {}
  }

  /**
   * JDK classes the agent's start-up loads from the runtime image (not from the JDK's class-data
   * archive, so each is read and parsed), loaded by premain's thread while it would otherwise wait
   * for the agent's module ({@link Pending}, the longest part of start-up, on a thread of its own):
   * the module's loader, then what weaving, the hook table and the first early event load on
   * premain's thread. Only loaded, never initialised (initialisation runs where it always did); a
   * name this JDK does not have is skipped; the preloading stops as soon as the module is defined,
   * so it never delays premain. The list comes from {@code -Xlog:class+load} of a trivial {@code
   * main} on JDK 17 (entries with source {@code jrt:/}); a name missing from it costs only its own
   * loading later, where it was before.
   */
  static final class JdkPreload {
    static final String[] CLASSES = {
      // the module thread: defineModulesWithOneLoader
      "jdk.internal.loader.Loader",
      "jdk.internal.loader.Loader$LoadedModule",
      // premain's thread after the module: the hook table, its refusals, the weaver, the counters
      "java.util.concurrent.atomic.AtomicBoolean",
      "java.lang.instrument.UnmodifiableClassException",
      "java.lang.instrument.ClassFileTransformer",
      "java.lang.UnsupportedOperationException",
      "java.lang.IndexOutOfBoundsException",
      "java.lang.AssertionError",
      "java.lang.TypeNotPresentException",
      "java.lang.NoSuchFieldError",
      "java.lang.SecurityException",
      "java.net.UnknownHostException",
      "java.net.SocketException",
      "java.net.ConnectException",
      "java.io.FileNotFoundException",
      "java.nio.file.FileSystemException",
      "java.nio.file.AccessDeniedException",
      "java.util.concurrent.atomic.AtomicReferenceArray",
      "java.util.function.LongSupplier",
      // the first early event's frames (EarlyBuffer), before main
      "java.lang.StackWalker$Option",
      "java.lang.StackWalker$ExtendedOption",
      "java.lang.StackStreamFactory",
      "java.lang.StackStreamFactory$WalkerState",
      "java.lang.StackStreamFactory$AbstractStackWalker",
      "java.lang.StackStreamFactory$StackFrameTraverser",
      "java.lang.StackStreamFactory$FrameBuffer",
      "java.lang.StackStreamFactory$StackFrameTraverser$StackFrameBuffer",
    };

    private JdkPreload() {}

    /** Loads the listed classes until {@code module} is defined. */
    static void whileWaiting(Pending module) {
      for (String name : CLASSES) {
        if (module.defined()) {
          return;
        }
        try {
          Class.forName(name, false, null);
        } catch (ClassNotFoundException | LinkageError e) {
          // not in this JDK: loaded later if ever needed, as before
        }
      }
    }
  }
}

package dev.tripline.agent.instrument;

import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.none;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.tripline.agent.config.AgentConfig;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * The short list of JDK methods Tripline hooks (see shared/agent-notes.md for why these are the
 * choke points on JDK 11–25), and their installation with ByteBuddy. Application classes are
 * never touched.
 */
public final class Hooks {

  /** One JDK method and the advice woven into it. */
  static final class Hook {
    final String name;
    final String capture;
    final String type;
    final ElementMatcher<? super MethodDescription> method;
    final Class<?> advice;
    final AtomicBoolean applied = new AtomicBoolean();

    Hook(String name, String capture, String type, ElementMatcher<? super MethodDescription> method, Class<?> advice) {
      this.name = name;
      this.capture = capture;
      this.type = type;
      this.method = method;
      this.advice = advice;
    }
  }

  private final List<Hook> hooks = new ArrayList<>();
  private final Map<String, String> failures = new ConcurrentHashMap<>();

  public Hooks(AgentConfig config) {
    add("process.start", "process", "java.lang.ProcessImpl",
        named("start").and(isStatic()).and(takesArgument(0, String[].class)), Advices.ProcessStart.class);
    add("file.FileInputStream.open", "file", "java.io.FileInputStream",
        named("open").and(takesArguments(String.class)), Advices.FileInputOpen.class);
    add("file.FileOutputStream.open", "file", "java.io.FileOutputStream",
        named("open").and(takesArguments(String.class, boolean.class)), Advices.FileOutputOpen.class);
    add("file.RandomAccessFile.open", "file", "java.io.RandomAccessFile",
        named("open").and(takesArguments(String.class, int.class)), Advices.RandomAccessOpen.class);
    // The NIO open changed arity in JDK 25 (the permission-check path argument is gone): one advice per shape.
    if (hasMethodArity("sun.nio.fs.UnixChannelFactory", "newFileChannel", 5)) {
      add("file.nio.newFileChannel", "file", "sun.nio.fs.UnixChannelFactory",
          named("newFileChannel").and(isStatic()).and(takesArguments(5)).and(takesArgument(0, int.class)),
          Advices.NioOpenWithPermissionPath.class);
    } else {
      add("file.nio.newFileChannel", "file", "sun.nio.fs.UnixChannelFactory",
          named("newFileChannel").and(isStatic()).and(takesArguments(4)).and(takesArgument(0, int.class)),
          Advices.NioOpen.class);
    }
    add("file.nio.newAsynchronousFileChannel", "file", "sun.nio.fs.UnixChannelFactory",
        named("newAsynchronousFileChannel").and(isStatic()), Advices.NioAsyncOpen.class);
    add("file.File.delete", "file", "java.io.File", named("delete").and(takesArguments(0)), Advices.FileDelete.class);
    add("file.nio.implDelete", "file", "sun.nio.fs.UnixFileSystemProvider",
        named("implDelete").and(takesArguments(2)), Advices.NioDelete.class);
    add("file.File.renameTo", "file", "java.io.File", named("renameTo"), Advices.FileRename.class);
    add("file.nio.move", "file", "sun.nio.fs.UnixFileSystemProvider",
        named("move").and(takesArguments(3)), Advices.NioMove.class);
    add("net.connect", "net", "sun.nio.ch.Net",
        named("connect").and(isStatic()).and(takesArguments(4)).and(takesArgument(0, java.net.ProtocolFamily.class)),
        Advices.NetConnect.class);
    add("net.datagram.send", "net", "sun.nio.ch.DatagramChannelImpl",
        named("send").and(takesArguments(java.nio.ByteBuffer.class, java.net.SocketAddress.class)), Advices.DatagramSend.class);
    add("net.datagram.connect", "net", "sun.nio.ch.DatagramChannelImpl",
        named("connect").and(takesArguments(java.net.SocketAddress.class, boolean.class)), Advices.DatagramConnect.class);
    add("net.listen.ServerSocket", "net", "java.net.ServerSocket",
        named("bind").and(takesArguments(java.net.SocketAddress.class, int.class)), Advices.Listen.class);
    add("net.listen.ServerSocketChannel", "net", "sun.nio.ch.ServerSocketChannelImpl",
        named("bind").and(takesArguments(java.net.SocketAddress.class, int.class)), Advices.Listen.class);
    add("net.accept.ServerSocket", "net", "java.net.ServerSocket",
        named("implAccept").and(takesArguments(java.net.Socket.class)), Advices.SocketAccept.class);
    add("net.accept.ServerSocketChannel", "net", "sun.nio.ch.ServerSocketChannelImpl",
        named("accept").and(takesArguments(0)), Advices.ChannelAccept.class);
    add("dns.getAllByName", "dns", "java.net.InetAddress",
        named("getAllByName").and(isStatic()).and(takesArguments(String.class)), Advices.Dns.class);
    // Unix domain sockets (JDK 16+): connect has two shapes (SocketAddress, Path), both static. A server
    // channel's bind and accept reach UnixDomainSockets inside the hooked ServerSocketChannelImpl.bind
    // and accept, which report them (the path is the channel's local address): only the outermost reports.
    if (Runtime.version().feature() >= 16) {
      add("unix.connect", "net", "sun.nio.ch.UnixDomainSockets",
          named("connect").and(isStatic()).and(takesArguments(2)).and(takesArgument(0, java.io.FileDescriptor.class)),
          Advices.UnixConnect.class);
      add("unix.bind", "net", "sun.nio.ch.UnixDomainSockets",
          named("bind").and(isStatic()).and(takesArguments(java.io.FileDescriptor.class, java.nio.file.Path.class)),
          Advices.UnixBind.class);
    }
    hooks.removeIf(h -> !config.captures(h.capture));
  }

  private void add(String name, String capture, String type, ElementMatcher<? super MethodDescription> method,
      Class<?> advice) {
    hooks.add(new Hook(name, capture, type, method, advice));
  }

  /** Weaves the advice into the JDK classes, loaded or not. */
  public void install(Instrumentation inst) {
    AgentBuilder builder = new AgentBuilder.Default()
        .disableClassFormatChanges()
        .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
        .with(AgentBuilder.TypeStrategy.Default.DECORATE)
        .with(AgentBuilder.DescriptionStrategy.Default.POOL_ONLY)
        .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
        .with(new AgentBuilder.Listener.Adapter() {
          @Override
          public void onError(String typeName, ClassLoader loader, net.bytebuddy.utility.JavaModule module,
              boolean loaded, Throwable throwable) {
            failures.put(typeName, String.valueOf(throwable));
          }
        })
        // Only the named JDK types below are ever matched; everything else is ignored outright.
        .ignore(none());
    // Advice is built before anything is installed: no ByteBuddy class loading inside a transformation.
    for (Hook hook : hooks) {
      Advice advice = Advice.to(hook.advice);
      ElementMatcher<? super MethodDescription> counted = m -> {
        boolean match = hook.method.matches(m);
        if (match) {
          hook.applied.set(true);
        }
        return match;
      };
      builder = builder.type(named(hook.type))
          .transform((b, type, loader, module, domain) -> b.visit(advice.on(counted)));
    }
    builder.installOn(inst);
  }

  /** Hooks whose method was found and woven; the rest did not match on this JDK (or their class is not loaded yet). */
  public List<String> applied() {
    List<String> out = new ArrayList<>();
    for (Hook h : hooks) {
      if (h.applied.get()) out.add(h.name);
    }
    return out;
  }

  public List<String> all() {
    List<String> out = new ArrayList<>();
    for (Hook h : hooks) out.add(h.name);
    return out;
  }

  public Map<String, String> failures() {
    return failures;
  }

  /** Reads the JDK's own class file (no class loading) to pick the advice shape. */
  private static boolean hasMethodArity(String type, String method, int arity) {
    try {
      net.bytebuddy.pool.TypePool pool = net.bytebuddy.pool.TypePool.Default.ofSystemLoader();
      return !pool.describe(type).resolve().getDeclaredMethods()
          .filter(named(method).and(takesArguments(arity))).isEmpty();
    } catch (RuntimeException e) {
      return false;
    }
  }

}

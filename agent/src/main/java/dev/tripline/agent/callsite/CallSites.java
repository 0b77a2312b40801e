package dev.tripline.agent.callsite;

import dev.tripline.model.CallSite;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.URL;
import java.security.CodeSource;
import java.util.EnumSet;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Finds the Java frame that caused an event: the first frame that is neither JDK nor agent code,
 * with the jar its class came from. Only called for events not seen before (a stack walk costs
 * microseconds; a repeat must cost nanoseconds).
 */
public final class CallSites {
  private static final int CONTEXT_FRAMES = 4;
  private static final StackWalker WALKER =
      StackWalker.getInstance(EnumSet.of(StackWalker.Option.RETAIN_CLASS_REFERENCE));
  private static final ClassLoader PLATFORM = ClassLoader.getPlatformClassLoader();
  private static final MethodHandle IS_VIRTUAL = isVirtualHandle();

  /** Code location per class, computed once (ClassValue: no leak when the class is unloaded). */
  private static final ClassValue<String> LOCATION = new ClassValue<>() {
    @Override
    protected String computeValue(Class<?> type) {
      try {
        CodeSource cs = type.getProtectionDomain().getCodeSource();
        URL url = cs == null ? null : cs.getLocation();
        return url == null ? "" : url.getPath();
      } catch (RuntimeException e) {
        return "";
      }
    }
  };

  private CallSites() {}

  /** The call site of the current thread's operation, or an empty CallSite when all frames are JDK. */
  public static CallSite capture() {
    List<StackWalker.StackFrame> frames = WALKER.walk(s -> s.filter(CallSites::isApplicationFrame)
        .limit(CONTEXT_FRAMES + 1).collect(Collectors.toList()));
    if (frames.isEmpty()) {
      return CallSite.getDefaultInstance();
    }
    StackWalker.StackFrame top = frames.get(0);
    String location = LOCATION.get(top.getDeclaringClass());
    CallSite.Builder b = CallSite.newBuilder()
        .setClassName(top.getClassName())
        .setMethodName(top.getMethodName())
        .setLineNumber(top.getLineNumber())
        .setCodeLocation(location)
        .setJarName(location.isEmpty() ? "" : location.substring(location.lastIndexOf('/', location.length() - 2) + 1));
    if (top.getFileName() != null) {
      b.setSourceFile(top.getFileName());
    }
    for (int i = 1; i < frames.size(); i++) {
      StackWalker.StackFrame f = frames.get(i);
      b.addFrames(f.getClassName() + "." + f.getMethodName() + ":" + f.getLineNumber());
    }
    return b.build();
  }

  static boolean isApplicationFrame(StackWalker.StackFrame f) {
    Class<?> c = f.getDeclaringClass();
    ClassLoader loader = c.getClassLoader();
    if (loader == null || loader == PLATFORM) {
      return false; // the JDK itself
    }
    String name = c.getName();
    return !(name.startsWith("dev.tripline.agent.") || name.startsWith("dev.tripline.bootstrap."));
  }

  /** Thread.isVirtual() exists from JDK 21; the agent runs on 11+. */
  public static boolean isVirtual(Thread t) {
    if (IS_VIRTUAL == null) {
      return false;
    }
    try {
      return (boolean) IS_VIRTUAL.invokeExact(t);
    } catch (Throwable e) {
      return false;
    }
  }

  private static MethodHandle isVirtualHandle() {
    try {
      return MethodHandles.publicLookup().findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class));
    } catch (ReflectiveOperationException e) {
      return null;
    }
  }
}

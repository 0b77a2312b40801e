package dev.tripline.agent.instrument;

import dev.tripline.agent.record.Observations;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Code entering the JVM: native library loads, at the native every load passes ({@code
 * System.load}, {@code System.loadLibrary}, {@code Runtime.load*}, and on JDK 18+ the raw loads
 * behind FFM's {@code SymbolLookup.libraryLookup}). A library's initialisers ({@code JNI_OnLoad},
 * ELF constructors) run inside the load: the wrapper is not bracketed, so Java I/O they call back
 * into still reports. Jars opened by class loaders are seen by the file hooks (the recorder makes
 * them code origins).
 */
final class CodeHooks extends HookGroup {
  CodeHooks() {
    super("code");
  }

  // spotless:off — the rows read as a table: one hook per line
  @Override
  public List<Hook> hooks() {
    return List.of(
        // every System.load/loadLibrary: the library's JNI_OnLoad runs inside, so not bracketed
        Hook.afterLoad("code.NativeLibraryImpl.open", "jdk/internal/loader/NativeLibraries$NativeLibraryImpl", "open",
            0, "name", "fromClass"),
        // FFM's SymbolLookup.libraryLookup (JDK 18+, loaded on demand: its native is wrapped)
        Hook.nativeLoad("code.RawNativeLibraries.load0", "jdk/internal/loader/RawNativeLibraries", "load0",
            "(Ljdk/internal/loader/RawNativeLibraries$RawNativeLibraryImpl;Ljava/lang/String;)", 0, 1).onDemand());
  }
  // spotless:on

  @Override
  public void observe(
      int action,
      @Nullable Object a,
      @Nullable Object b,
      int n,
      @Nullable Throwable error,
      Observations to) {
    if (b instanceof Boolean) {
      return; // the load returned false: nothing was loaded (a probe of the library's paths)
    }
    // a hand-off carries no error: a throwing load passes its throwable as b
    to.nativeLoad(
        (String) a,
        b instanceof Class ? (Class<?>) b : null,
        b instanceof Throwable ? (Throwable) b : error);
  }
}

package dev.tripline.agent.instrument;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.tripline.agent.record.Observations;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The file hooks' entry decision takes a short route of its own ({@link FileHooks#decide}, so the
 * JIT can inline a repeat's decision): it must decode every hook's arguments exactly as the report
 * at exit does, for every action and every shape of argument a hook can pass.
 */
class FileHooksDecideTest {
  private final FileHooks files = new FileHooks();

  /** What a hook's arguments can be: the JDK's strings, paths, and the odd shapes around them. */
  private static final Object[] VALUES = {
    null, "/srv/app/x", "", Path.of("/srv/app/y"), 3, new byte[] {'/', 'e', 't', 'c'}
  };

  @Test
  void everyActionIsDecodedAtEntryAsAtExit() {
    int compared = 0;
    for (Hook h : files.hooks()) {
      for (Object a : VALUES) {
        for (Object b : VALUES) {
          for (int n : new int[] {0, 1, 2, 3}) {
            List<String> atExit = new ArrayList<>();
            List<String> atEntry = new ArrayList<>();
            String exitFailed = failure(() -> files.observe(h.action, a, b, n, null, into(atExit)));
            String entryFailed = failure(() -> files.decide(h.action, a, b, n, into(atEntry)));
            assertEquals(atExit, atEntry, h.name + " with " + show(a) + ", " + show(b) + ", " + n);
            assertEquals(exitFailed, entryFailed, h.name + ": the same refusal of bad arguments");
            compared++;
          }
        }
      }
    }
    assertFalse(files.hooks().isEmpty());
    assertEquals(files.hooks().size() * VALUES.length * VALUES.length * 4, compared);
  }

  @Test
  void aJavaIoOpenIsTheFileCallItsPathNames() {
    Hook open = hook("file.FileInputStream.open");
    List<String> calls = new ArrayList<>();
    files.decide(open.action, "/srv/app/x", null, 0, into(calls));
    assertEquals(List.of("file[FILE_READ, /srv/app/x, null]"), calls);
  }

  private Hook hook(String name) {
    for (Hook h : files.hooks()) {
      if (h.name.equals(name)) {
        return h;
      }
    }
    throw new AssertionError("no hook " + name);
  }

  /** An {@link Observations} that writes down each call: its method and its arguments. */
  private static Observations into(List<String> calls) {
    return (Observations)
        Proxy.newProxyInstance(
            Observations.class.getClassLoader(),
            new Class<?>[] {Observations.class},
            (proxy, method, args) -> {
              switch (method.getName()) {
                case "equals":
                  return proxy == args[0];
                case "hashCode":
                  return 0;
                case "toString":
                  return "observations";
                default:
                  break;
              }
              List<String> shown = new ArrayList<>();
              for (Object arg : args == null ? new Object[0] : args) {
                shown.add(show(arg));
              }
              calls.add(method.getName() + shown);
              return null;
            });
  }

  private static String show(Object o) {
    return o instanceof byte[] ? Arrays.toString((byte[]) o) : String.valueOf(o);
  }

  private static String failure(Runnable call) {
    try {
      call.run();
      return "";
    } catch (RuntimeException e) {
      return e.getClass().getName();
    }
  }
}

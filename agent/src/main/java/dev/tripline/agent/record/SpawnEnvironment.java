package dev.tripline.agent.record;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The environment variables that decide what a known command really runs: a command learned as
 * normal, re-run with {@code LD_PRELOAD=/tmp/evil.so}, runs the attacker's code. Those the child is
 * given with a value different from the JVM's own are part of the spawn (its event and its repeat
 * key); the rest of the environment is not looked at.
 *
 * <p>The child's environment reaches the agent from {@code ProcessEnvironment.toEnvironmentBlock},
 * which {@code ProcessImpl.start} calls only when the application changed the environment (else the
 * child inherits the JVM's): the difference is kept for this thread until the spawn reports.
 */
final class SpawnEnvironment {
  private SpawnEnvironment() {}

  /**
   * The list, in one place: the dynamic loader's, the JVM's, the shells' start-up files, the
   * interpreters' module paths and option variables.
   */
  static final List<String> DANGEROUS =
      List.of(
          "LD_PRELOAD",
          "LD_LIBRARY_PATH",
          "LD_AUDIT",
          "LD_DEBUG_OUTPUT",
          "LD_PROFILE",
          "LD_ORIGIN_PATH",
          "GCONV_PATH",
          "JAVA_TOOL_OPTIONS",
          "_JAVA_OPTIONS",
          "JDK_JAVA_OPTIONS",
          "JAVA_OPTIONS",
          "CLASSPATH",
          "BASH_ENV",
          "ENV",
          "SHELLOPTS",
          "PS4",
          "PROMPT_COMMAND",
          "IFS",
          "PYTHONPATH",
          "PYTHONSTARTUP",
          "PYTHONHOME",
          "PYTHONINSPECT",
          "PERL5OPT",
          "PERL5LIB",
          "PERLLIB",
          "PERL5DB",
          "NODE_OPTIONS",
          "NODE_PATH",
          "RUBYOPT",
          "RUBYLIB",
          "PHPRC",
          "PHP_INI_SCAN_DIR",
          "LUA_INIT",
          "LUA_PATH",
          "LUA_CPATH",
          "GIT_SSH_COMMAND",
          "GIT_EXEC_PATH",
          "GIT_CONFIG_GLOBAL",
          "SSH_ASKPASS");

  /** A spawn's working directory and its dangerous variables: the recorder's {@code extra}. */
  static final class Spawn {
    final @Nullable String workingDir;
    final String[] env;

    Spawn(@Nullable String workingDir, String[] env) {
      this.workingDir = workingDir;
      this.env = env;
    }
  }

  private static final ThreadLocal<String @Nullable []> PENDING = new ThreadLocal<>();

  /**
   * Remembers, for this thread's spawn under way, the dangerous variables {@code child} sets
   * differently from {@code parent} (the JVM's environment): "NAME=value" (a removed one as "NAME"
   * alone is not kept: removing one runs nothing new).
   */
  static void offer(@Nullable Object child, Map<String, String> parent) {
    if (!(child instanceof Map)) {
      return;
    }
    Map<?, ?> env = (Map<?, ?>) child;
    List<String> differing = null;
    for (String name : DANGEROUS) {
      Object value = env.get(name);
      if (value != null && !Objects.equals(value, parent.get(name))) {
        if (differing == null) {
          differing = new ArrayList<>(2);
        }
        differing.add(name + "=" + value);
      }
    }
    if (differing != null) {
      PENDING.set(differing.toArray(new String[0]));
    } else {
      PENDING.remove();
    }
  }

  /** What {@link #offer} kept for this thread's spawn, or null; forgotten once taken. */
  static String @Nullable [] take() {
    String[] env = PENDING.get();
    if (env != null) {
      PENDING.remove();
    }
    return env;
  }
}

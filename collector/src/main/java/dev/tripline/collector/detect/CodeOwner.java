package dev.tripline.collector.detect;

import dev.tripline.model.CallSite;
import dev.tripline.model.ProfileEntryOrBuilder;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which code performs a behaviour: the call site's jar without its version ({@code log4j-core.jar}:
 * an upgrade is not new code), or {@code package.*} for application classes loaded from a directory
 * (the agent names those {@code classes/}).
 */
public final class CodeOwner {
  /** Owners one profile entry keeps; past that the last slot becomes {@link #ANY}. */
  public static final int MAX_PER_ENTRY = 16;

  /** Stands for "many owners": the entry outgrew the bound, any code may do it. */
  public static final String ANY = "*";

  /** Owner of events with no application frame (JDK-internal threads). */
  public static final String JDK = "(jdk)";

  private static final Pattern VERSION = Pattern.compile("[-_]v?\\d[\\w.+-]*(?=\\.jar$)");

  private CodeOwner() {}

  /** The owner of this call site; {@value #JDK} when no application frame was on the stack. */
  public static String of(CallSite c) {
    String jar = c.getJarName();
    if (!isClassDirectory(jar)) {
      return VERSION.matcher(jar).replaceFirst("");
    }
    String cls = c.getClassName();
    int dot = cls.lastIndexOf('.');
    return cls.isEmpty() ? JDK : dot < 0 ? "(default package)" : cls.substring(0, dot) + ".*";
  }

  /**
   * True when the call site's "jar" is a directory of classes, owned per package: "target/classes",
   * "app.jar (BOOT-INF/classes)", an older agent's "classes/" or "!/"; or when there is none.
   */
  public static boolean isClassDirectory(String jar) {
    String j = jar.toLowerCase(java.util.Locale.ROOT);
    return !(j.endsWith(".jar") || j.endsWith(".war") || j.endsWith(".ear") || j.endsWith(".zip"));
  }

  /** True when the entry already lists this owner, or any code ({@link #ANY}). */
  public static boolean known(ProfileEntryOrBuilder entry, String owner) {
    List<String> owners = entry.getCodeOwnersList();
    return owners.contains(owner) || owners.contains(ANY);
  }
}

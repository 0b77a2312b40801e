package dev.tripline.agent.callsite;

import java.io.ByteArrayOutputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.CodeSource;

/**
 * Names a class's code location as people read it: the artifact's file name with its version, and
 * the outer deployable it is nested in. Pure functions over the location's path, computed once per
 * class by {@link CallSites}. Every name is a piece of the location plus a fixed suffix: never
 * longer than the location by more than a few characters.
 *
 * <p>Shapes handled (the path part of {@code CodeSource.getLocation()}):
 *
 * <ul>
 *   <li>Spring Boot 3.2+ nested jars: {@code nested:/srv/app.jar/!BOOT-INF/lib/x-1.0.jar!/}, {@code
 *       nested:/srv/app.jar/!BOOT-INF/classes/!/}
 *   <li>Spring Boot before 3.2: {@code file:/srv/app.jar!/BOOT-INF/lib/x-1.0.jar!/}
 *   <li>WARs, packed ({@code shop.war!/WEB-INF/lib/x.jar}, Tomcat's {@code shop.war*} then {@code
 *       /WEB-INF/...}) or exploded ({@code /webapps/shop/WEB-INF/classes/}); Boot's exploded layers
 *       ({@code /app/BOOT-INF/lib/x.jar})
 *   <li>plain jars (Quarkus' {@code quarkus-app/lib/main/g.a-1.0.jar} too) and class directories
 * </ul>
 */
public final class CodeLocations {
  /** A class's location, its artifact name and its outer deployable ("" when none). */
  public static final class Named {
    public static final Named NONE = new Named("", "", "");
    public final String location;
    public final String jarName;
    public final String archive;

    /**
     * "" for a class with an origin on disk (or a JDK class); {@link #DEFINED} for one defined from
     * bytes without a code source; {@link #HIDDEN} for a hidden class (named by its host's
     * location, which it shares).
     */
    public final String origin;

    Named(String location, String jarName, String archive) {
      this(location, jarName, archive, "");
    }

    Named(String location, String jarName, String archive, String origin) {
      this.location = location;
      this.jarName = jarName;
      this.archive = archive;
      this.origin = origin;
    }

    Named withOrigin(String origin) {
      return new Named(location, jarName, archive, origin);
    }

    @Override
    public String toString() {
      return jarName + (archive.isEmpty() ? "" : " (in " + archive + ")") + " @ " + location;
    }
  }

  /**
   * Separators between an archive and an entry in it: Boot 3.2+ nested, jar: URLs, Tomcat's war:
   * URLs.
   */
  private static final String[] SEPARATORS = {"/!", "!/", "*/", "^/"};

  private static final String[] SCHEMES = {
    "jar:", "nested:", "file:", "war:", "wsjar:", "zip:", "vfs:", "jrt:"
  };

  /** The folders of a deployable's layout whose parent names the deployable. */
  private static final String[] LAYOUT_DIRS = {"BOOT-INF", "WEB-INF"};

  private static final ClassLoader PLATFORM = ClassLoader.getPlatformClassLoader();

  private CodeLocations() {}

  /** {@link Named#origin} of a class defined from bytes without a code source. */
  public static final String DEFINED = "defined";

  /** {@link Named#origin} of a hidden class ({@code Lookup.defineHiddenClass}). */
  public static final String HIDDEN = "hidden";

  /**
   * The named location of {@code type}: JDK classes by their module ("java.naming"); an
   * application's class with no origin on disk is marked (see {@link Named#origin}).
   */
  static Named of(Class<?> type) {
    try {
      ClassLoader loader = type.getClassLoader();
      if (loader == null || loader == PLATFORM) {
        String module = type.getModule().getName();
        return module == null ? Named.NONE : new Named("", module, "");
      }
      CodeSource cs = type.getProtectionDomain().getCodeSource();
      URL url = cs == null ? null : cs.getLocation();
      Named named = url == null ? new Named("", "", "", DEFINED) : name(url.getPath());
      // a hidden class shares its host's protection domain: the jar is the defining code's
      return isHidden(type) ? named.withOrigin(HIDDEN) : named;
    } catch (RuntimeException e) {
      return Named.NONE;
    }
  }

  /**
   * A hidden class (JDK 15+) or, on 11–14, a VM-anonymous one: the only classes whose name holds a
   * '/' ("com.acme.Filter/0x0000…"), which no class defined from a binary name can have.
   */
  public static boolean isHidden(Class<?> type) {
    return type.getName().indexOf('/') >= 0;
  }

  /**
   * A lambda's or method reference's proxy ({@code LambdaMetafactory}: hidden, named {@code
   * Host$$Lambda…/0x…}): it only forwards, to the lambda's body in its host class or to the method
   * referenced. Treated as transparent, like a JDK frame. The name alone is the definer's choice (a
   * payload's hidden class named {@code …$$Lambda} would blame its caller): from JDK 15 the
   * metafactory defines the proxy as a nestmate of the class it is named after, so the name must
   * start with its nest host's name (the class's own, or its top-level class's). On 11–14
   * (VM-anonymous proxies, no nest) the name is all there is.
   */
  public static boolean isLambdaProxy(Class<?> type) {
    String name = type.getName();
    int slash = name.indexOf('/');
    int lambda = name.indexOf("$$Lambda");
    if (slash < 0 || lambda < 0 || lambda > slash) {
      return false;
    }
    if (!HIDDEN_CLASSES) {
      return true;
    }
    Class<?> host;
    try {
      host = type.getNestHost();
    } catch (RuntimeException | LinkageError e) {
      return false; // no host the JVM vouches for: not the metafactory's
    }
    // A lambda in a nested class (Outer$Inner$$Lambda) joins the nest of its top-level host.
    String hostName = host.getName();
    return host != type
        && name.startsWith(hostName)
        && (lambda == hostName.length() || name.charAt(hostName.length()) == '$');
  }

  /** JDK 15+: lambda proxies are hidden nestmates of their host. */
  private static final boolean HIDDEN_CLASSES = Runtime.version().feature() >= 15;

  /**
   * Who defined a class with no origin on disk, as far as the JVM tells: a hidden class's host (its
   * nest host, when defined as a nestmate) with that host's jar, else the defining loader.
   */
  public static String definedBy(Class<?> type) {
    try {
      if (isHidden(type)) {
        Class<?> host = type.getNestHost();
        if (host != type) {
          Named h = of(host);
          return host.getName() + (h.jarName.isEmpty() ? "" : " (" + h.jarName + ")");
        }
      }
      return loaderName(type.getClassLoader());
    } catch (RuntimeException | LinkageError e) {
      return "";
    }
  }

  /** A loader as an analyst reads it: its class and, when it has one, its name. */
  public static String loaderName(ClassLoader loader) {
    if (loader == null) {
      return "bootstrap";
    }
    String name = loader.getName();
    return loader.getClass().getName() + (name == null ? "" : " " + name);
  }

  /** Names a location path (or a whole URL): see the class comment for the shapes. */
  public static Named name(String location) {
    if (location == null || location.isEmpty()) {
      return Named.NONE;
    }
    String path = stripTrailing(stripSchemes(decode(location)));
    int sep = firstSeparator(path, 0);
    if (sep < 0) {
      return plain(location, path);
    }
    String outer = path.substring(0, sep);
    String archive = lastElement(outer);
    int innerStart = sep + 2;
    int next = firstSeparator(path, innerStart);
    String inner = stripTrailing(path.substring(innerStart, next < 0 ? path.length() : next));
    if (isArchiveFile(inner)) {
      return new Named(location, lastElement(inner), archive);
    }
    return new Named(location, inner.isEmpty() ? archive : archive + " (" + inner + ")", archive);
  }

  /**
   * A location with no archive separator: a jar or directory on disk, maybe inside an exploded
   * deployable.
   */
  private static Named plain(String location, String path) {
    int layout = layoutDir(path);
    if (layout >= 0) {
      String deployable = lastElement(path.substring(0, Math.max(0, layout - 1)));
      String inner = path.substring(layout);
      String jarName = isArchiveFile(inner) ? lastElement(inner) : deployable + " (" + inner + ")";
      return new Named(location, jarName, deployable);
    }
    if (isArchiveFile(path)) {
      return new Named(location, lastElement(path), "");
    }
    return new Named(location, directoryName(path), "");
  }

  /**
   * A class directory by its last elements: from the element before a "classes" among the last
   * three ("target/classes", "build/classes/java/main"), else the last two.
   */
  static String directoryName(String path) {
    int end = path.length();
    while (end > 1 && path.charAt(end - 1) == '/') {
      end--; // "…/classes/" names the same directory as "…/classes"
    }
    String[] parts = path.substring(0, end).split("/", -1);
    int n = parts.length;
    int from = Math.max(0, n - 2);
    for (int i = n - 1; i >= Math.max(1, n - 3); i--) {
      if (parts[i].equals("classes")) {
        from = i - 1;
        break;
      }
    }
    StringBuilder sb = new StringBuilder();
    for (int i = from; i < n; i++) {
      if (parts[i].isEmpty()) continue;
      if (sb.length() > 0) sb.append('/');
      sb.append(parts[i]);
    }
    return sb.toString();
  }

  /** Where "BOOT-INF/" or "WEB-INF/" starts as a path element, or -1. */
  private static int layoutDir(String path) {
    for (String dir : LAYOUT_DIRS) {
      int i = path.lastIndexOf("/" + dir + "/");
      if (i < 0 && path.endsWith("/" + dir)) i = path.length() - dir.length() - 1;
      if (i >= 0) return i + 1;
    }
    return -1;
  }

  private static int firstSeparator(String path, int from) {
    int best = -1;
    for (String s : SEPARATORS) {
      int i = path.indexOf(s, from);
      if (i >= 0 && (best < 0 || i < best)) best = i;
    }
    return best;
  }

  private static boolean isArchiveFile(String path) {
    String p = path.toLowerCase(java.util.Locale.ROOT);
    return p.endsWith(".jar")
        || p.endsWith(".war")
        || p.endsWith(".ear")
        || p.endsWith(".zip")
        || p.endsWith(".rar")
        || p.endsWith(".jmod");
  }

  /**
   * Drops the leading schemes ("jar:nested:", "jar:file:"); by index, so a hostile repeat costs one
   * pass.
   */
  private static String stripSchemes(String s) {
    int from = 0;
    boolean again = true;
    while (again) {
      again = false;
      for (String scheme : SCHEMES) {
        if (s.regionMatches(true, from, scheme, 0, scheme.length())) {
          from += scheme.length();
          again = true;
        }
      }
    }
    return s.substring(from);
  }

  /** Drops the "!/", "/!" and "/" a location ends with. */
  private static String stripTrailing(String s) {
    int end = s.length();
    while (end > 1 && (s.charAt(end - 1) == '/' || s.charAt(end - 1) == '!')) end--;
    return s.substring(0, end);
  }

  private static String lastElement(String path) {
    String p = stripTrailing(path);
    return p.substring(p.lastIndexOf('/') + 1);
  }

  /**
   * Percent-decoding of a URL path ("%20" for a space), UTF-8; a malformed escape is kept as it is.
   */
  static String decode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '%'
          && i + 2 < s.length()
          && hex(s.charAt(i + 1)) >= 0
          && hex(s.charAt(i + 2)) >= 0) {
        out.write(hex(s.charAt(i + 1)) * 16 + hex(s.charAt(i + 2)));
        i += 3;
      } else {
        int cp = s.codePointAt(i);
        byte[] b = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
        i += Character.charCount(cp);
      }
    }
    return new String(out.toByteArray(), StandardCharsets.UTF_8);
  }

  private static int hex(char c) {
    return Character.digit(c, 16);
  }
}

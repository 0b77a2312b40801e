package dev.tripline.agent.callsite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.invoke.MethodHandles;
import java.lang.reflect.Array;
import java.net.URL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CodeLocationsTest {
  /**
   * location (as CodeSource.getLocation().getPath() gives it, or the whole URL) | jar_name |
   * archive
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        // Spring Boot 3.2+ (seen in it-spring with Boot 3.5.7)
        "nested:/srv/app.jar/!BOOT-INF/lib/logback-core-1.5.20.jar!/ | logback-core-1.5.20.jar | app.jar",
        "nested:/srv/app.jar/!BOOT-INF/classes/!/ | app.jar (BOOT-INF/classes) | app.jar",
        "jar:nested:/srv/app.jar/!BOOT-INF/lib/logback-core-1.5.20.jar!/ | logback-core-1.5.20.jar | app.jar",
        "nested:/srv/shop.war/!WEB-INF/lib/x-1.0.jar!/ | x-1.0.jar | shop.war",
        "nested:/srv/shop.war/!WEB-INF/classes/!/ | shop.war (WEB-INF/classes) | shop.war",
        // Spring Boot before 3.2
        "file:/srv/app.jar!/BOOT-INF/lib/x.jar!/ | x.jar | app.jar",
        "jar:file:/srv/app.jar!/BOOT-INF/lib/x.jar!/ | x.jar | app.jar",
        "file:/srv/app.jar!/BOOT-INF/classes!/ | app.jar (BOOT-INF/classes) | app.jar",
        // WARs: packed (jar: and Tomcat's war: URLs) and exploded
        "file:/opt/tomcat/webapps/shop.war!/WEB-INF/lib/x.jar | x.jar | shop.war",
        "war:file:/opt/tomcat/webapps/shop.war*/WEB-INF/lib/x.jar!/ | x.jar | shop.war",
        "/opt/tomcat/webapps/shop/WEB-INF/classes/ | shop (WEB-INF/classes) | shop",
        "/opt/tomcat/webapps/shop/WEB-INF/lib/jackson-core-2.19.2.jar | jackson-core-2.19.2.jar | shop",
        // Boot's extracted layers (Docker images)
        "/workspace/BOOT-INF/classes/ | workspace (BOOT-INF/classes) | workspace",
        "/workspace/BOOT-INF/lib/spring-core-6.2.12.jar | spring-core-6.2.12.jar | workspace",
        // plain jars, directories, Quarkus fast-jar
        "/srv/lib/billing-2.3.jar | billing-2.3.jar | ''",
        "file:/srv/lib/billing-2.3.jar | billing-2.3.jar | ''",
        "/work/app/target/classes/ | target/classes | ''",
        "/work/app/target/test-classes/ | target/test-classes | ''",
        "/work/app/build/classes/java/main/ | build/classes/java/main | ''",
        "/deploy/quarkus-app/lib/main/io.quarkus.quarkus-core-3.15.1.jar | io.quarkus.quarkus-core-3.15.1.jar | ''",
        "/deploy/quarkus-app/app/orders-1.0.jar | orders-1.0.jar | ''",
        "/srv/my%20app/lib/billing-2.3.jar | billing-2.3.jar | ''",
        "/classes/ | classes | ''",
        "/ | '' | ''",
        "jrt:/java.naming | java.naming | ''",
      })
  void namesTheArtifactAndItsDeployable(String location, String jarName, String archive) {
    CodeLocations.Named n = CodeLocations.name(location);
    assertEquals(jarName, n.jarName, "jar_name of " + location);
    assertEquals(archive, n.archive, "archive of " + location);
    assertEquals(location, n.location, "the location itself is kept as it was");
  }

  @Test
  void emptyAndNull() {
    assertEquals("", CodeLocations.name("").jarName);
    assertEquals("", CodeLocations.name(null).jarName);
  }

  @Test
  void percentEscapesAreDecodedAndMalformedOnesKept() {
    assertEquals("/a b/ü.jar", CodeLocations.decode("/a%20b/%C3%BC.jar"));
    assertEquals("/a%2/b%zz%", CodeLocations.decode("/a%2/b%zz%"));
    assertEquals(
        "my app (WEB-INF/classes)",
        CodeLocations.name("/webapps/my%20app/WEB-INF/classes/").jarName);
  }

  @Test
  void jdkClassesAreNamedByTheirModule() {
    assertEquals("java.naming", CodeLocations.of(javax.naming.InitialContext.class).jarName);
    assertEquals("java.base", CodeLocations.of(String.class).jarName);
    assertEquals("", CodeLocations.of(String.class).archive);
  }

  @Test
  void aClassDirectoryOnTheTestClasspath() {
    // this test class comes from Maven's target/test-classes
    assertEquals("target/test-classes", CodeLocations.of(CodeLocationsTest.class).jarName);
  }

  @Test
  void worstCaseNamesAreNoLongerThanTheirLocation() throws Exception {
    String deep =
        "nested:/" + "a/".repeat(20_000) + "app.jar/!" + "BOOT-INF/".repeat(5_000) + "classes/!/";
    CodeLocations.Named n = CodeLocations.name(deep);
    assertTrue(n.jarName.length() <= deep.length() + 4, "bounded by the location");
    assertTrue(n.jarName.startsWith("app.jar ("), n.jarName.substring(0, 20));
    assertEquals("x.jar", CodeLocations.name("jar:".repeat(200_000) + "file:/srv/x.jar").jarName);
    String many = "jar:" + "x.jar!/".repeat(10_000);
    assertEquals("x.jar", CodeLocations.name(many).jarName);
    assertEquals("x.jar", CodeLocations.name(new URL("file:/srv/x.jar").getPath()).jarName);
  }

  /** Lambdas at every nesting depth are proxies; a hidden class that only takes the name is not. */
  @Test
  void aLambdaProxyIsTheMetafactorysNotWhateverTakesItsName() throws Exception {
    Runnable top = () -> {};
    Runnable nested = Nested.lambda();
    Runnable deeper = Nested.Deeper.lambda();
    for (Runnable r : new Runnable[] {top, nested, deeper}) {
      assertTrue(CodeLocations.isLambdaProxy(r.getClass()), r.getClass().getName());
    }
    assertFalse(CodeLocations.isLambdaProxy(CodeLocationsTest.class));
    byte[] bytes;
    try (var in =
        CodeLocationsTest.class.getResourceAsStream("/dev/tripline/testapp/Spoof$$Lambda.class")) {
      bytes = in.readAllBytes();
    }
    // a hidden class of the testapp package, named like a proxy, nestmate of nothing it names
    // (tests compile for Java 11 like the agent: Lookup.defineHiddenClass by reflection; JDK 17+)
    Class<?> option = Class.forName("java.lang.invoke.MethodHandles$Lookup$ClassOption");
    Object options = Array.newInstance(option, 1);
    Array.set(options, 0, option.getMethod("valueOf", String.class).invoke(null, "NESTMATE"));
    MethodHandles.Lookup lookup =
        MethodHandles.privateLookupIn(
            Class.forName("dev.tripline.testapp.PluginIo"), MethodHandles.lookup());
    Class<?> spoof =
        ((MethodHandles.Lookup)
                MethodHandles.Lookup.class
                    .getMethod("defineHiddenClass", byte[].class, boolean.class, options.getClass())
                    .invoke(lookup, bytes, false, options))
            .lookupClass();
    assertTrue(spoof.getName().startsWith("dev.tripline.testapp.Spoof$$Lambda/"), spoof.getName());
    assertFalse(CodeLocations.isLambdaProxy(spoof), spoof.getName());
  }

  static final class Nested {
    static Runnable lambda() {
      return () -> {};
    }

    static final class Deeper {
      static Runnable lambda() {
        return () -> {};
      }
    }
  }
}

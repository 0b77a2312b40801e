package dev.tripline.agent.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.kafka.EmbeddedKafka;
import dev.tripline.kafka.Patience;
import dev.tripline.kafka.Topics;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kafka.topic=<topic>.{service}}: the real agent writes its own service's topic, as a SCRAM
 * principal whose only right is WRITE on that one topic (literal ACL) on a broker that denies
 * everything else. The name maps to a legal topic as KafkaSinkTopicTest (and the collector's
 * ServiceTopics) say.
 */
class ServiceTopicIT {
  private static EmbeddedKafka kafka;

  @BeforeAll
  static void secureBroker() throws Exception {
    kafka = EmbeddedKafka.builder().scramWithAcls("admin", "admin-secret").build().start();
    kafka.addScramUser("svc-order", "order-secret");
    try (Admin admin = kafka.admin()) {
      Topics.ensure(admin, Map.of("it.events.Order_Service", 1), (short) 1, Map.of());
      List<AclBinding> acls =
          Stream.of(AclOperation.WRITE, AclOperation.DESCRIBE)
              .map(
                  op ->
                      new AclBinding(
                          new ResourcePattern(
                              ResourceType.TOPIC, "it.events.Order_Service", PatternType.LITERAL),
                          new AccessControlEntry(
                              "User:svc-order", "*", op, AclPermissionType.ALLOW)))
              .collect(java.util.stream.Collectors.toCollection(java.util.ArrayList::new));
      // As deploy/kafka/tripline-acls.sh grants a service: READ and DESCRIBE on its own policy
      // topic.
      for (AclOperation op : List.of(AclOperation.READ, AclOperation.DESCRIBE)) {
        acls.add(
            new AclBinding(
                new ResourcePattern(
                    ResourceType.TOPIC, "tripline.policy.Order_Service", PatternType.LITERAL),
                new AccessControlEntry("User:svc-order", "*", op, AclPermissionType.ALLOW)));
      }
      admin.createAcls(acls).all().get(Patience.WAIT.toSeconds(), TimeUnit.SECONDS);
    }
  }

  @AfterAll
  static void stop() {
    if (kafka != null) kafka.close();
  }

  @OnEveryJdk
  void theAgentWritesItsServiceTopicAsItsOwnPrincipal(Path java, @TempDir Path dir)
      throws Exception {
    String jaas =
        "dev.tripline.agent.shaded.org.apache.kafka.common.security.scram.ScramLoginModule required"
            + " username=\"svc-order\" password=\"order-secret\";";
    List<String> props =
        KafkaPipelineIT.agentProps(
            kafka.bootstrapServers(EmbeddedKafka.SASL_LISTENER),
            "it.events.{service}",
            "Order Service",
            "-Dtripline.kafka.security.protocol=SASL_PLAINTEXT",
            "-Dtripline.kafka.sasl.mechanism=SCRAM-SHA-512",
            "-Dtripline.kafka.sasl.jaas.config=" + jaas);
    try (RunningApp app = RunningApp.start(java, dir, props, Map.of());
        BatchConsumer topic =
            new BatchConsumer(kafka.bootstrapServers(), "it.events.Order_Service")) {
      String first = app.dataFile(0).toString();
      await().atMost(Patience.WAIT).until(() -> topic.sawFile(first));
      String out = app.stop();
      assertTrue(
          topic.poll().stream()
              .allMatch(
                  r ->
                      r.key.equals("Order Service")
                          && r.batch.getAgent().getService().equals("Order Service")));
      assertTrue(!out.contains("Authorization"), out);
    }
  }
}

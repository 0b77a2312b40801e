package dev.tripline.collector.kafka;

import dev.tripline.collector.config.CollectorConfig;
import dev.tripline.collector.config.CollectorKeys;
import dev.tripline.model.Schema;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The least-privilege ACLs of a Tripline deployment, as Admin API bindings (the same as the {@code
 * kafka-acls.sh} commands in docs/operations.md and deploy/kafka/tripline-acls.sh):
 *
 * <ul>
 *   <li>the collector's principal reads the event topics, and alone writes actions, alerts, the
 *       dead-letter topic and its own internal topics ({@code <application.id>}-prefixed); it
 *       describes the cluster's ACLs (which service topics are bound to a principal);
 *   <li>a service's agents write that service's events topic and nothing else. The ACL is LITERAL:
 *       a prefixed one on {@code tripline.events.payments} would also match {@code
 *       tripline.events.payments-eu}, letting payments speak for another service.
 *   <li>a service's agents read that service's protection policy topic ({@code
 *       tripline.policy.<service>}, LITERAL for the same reason) and no other; only the collector
 *       writes policies (docs/protection.md).
 * </ul>
 */
public final class KafkaAcls {
  private KafkaAcls() {}

  /**
   * What the collector (all its instances) needs; {@code principal} e.g. {@code
   * User:tripline-collector}.
   */
  public static List<AclBinding> collector(String principal, CollectorConfig config) {
    List<AclBinding> acls = new ArrayList<>();
    String events = config.get(CollectorKeys.TOPIC_EVENTS);
    // Read every event topic (the shared one and <events>.<service>); create the shared one.
    add(
        acls,
        principal,
        ResourceType.TOPIC,
        events,
        PatternType.PREFIXED,
        AclOperation.READ,
        AclOperation.DESCRIBE);
    add(acls, principal, ResourceType.TOPIC, events, PatternType.LITERAL, AclOperation.CREATE);
    for (String topic :
        List.of(
            config.get(CollectorKeys.TOPIC_ACTIONS),
            config.get(CollectorKeys.TOPIC_ALERTS),
            config.get(CollectorKeys.TOPIC_ALERTS_JSON),
            config.get(CollectorKeys.TOPIC_DEADLETTER))) {
      add(
          acls,
          principal,
          ResourceType.TOPIC,
          topic,
          PatternType.LITERAL,
          AclOperation.READ,
          AclOperation.WRITE,
          AclOperation.DESCRIBE,
          AclOperation.CREATE,
          AclOperation.DESCRIBE_CONFIGS);
    }
    // Alone writes the per-service protection policies (tripline.policy.<service>), creating each
    // topic on the first change; the dot keeps the prefix from covering other topic families.
    add(
        acls,
        principal,
        ResourceType.TOPIC,
        config.get(CollectorKeys.TOPIC_POLICY) + ".",
        PatternType.PREFIXED,
        AclOperation.READ,
        AclOperation.WRITE,
        AclOperation.DESCRIBE,
        AclOperation.CREATE,
        AclOperation.DESCRIBE_CONFIGS);
    // Describe the cluster's ACLs: which services are bound to a topic of their own (the shared
    // topic may no longer speak for them; ServiceTopicOwners).
    add(
        acls,
        principal,
        ResourceType.CLUSTER,
        "kafka-cluster",
        PatternType.LITERAL,
        AclOperation.DESCRIBE);
    // Kafka Streams: changelogs, view topics, the consumer group and transactional ids all start
    // with the application id.
    String app = config.get(CollectorKeys.APPLICATION_ID);
    add(acls, principal, ResourceType.TOPIC, app, PatternType.PREFIXED, AclOperation.ALL);
    add(
        acls,
        principal,
        ResourceType.GROUP,
        app,
        PatternType.PREFIXED,
        AclOperation.READ,
        AclOperation.DESCRIBE);
    add(
        acls,
        principal,
        ResourceType.TRANSACTIONAL_ID,
        app,
        PatternType.PREFIXED,
        AclOperation.WRITE,
        AclOperation.DESCRIBE);
    return acls;
  }

  /**
   * A service's agents: write its own events topic, read its own policy topic under the default
   * {@code tripline.policy}, nothing else.
   */
  public static List<AclBinding> agent(String principal, String eventsTopic, String service) {
    return agent(principal, eventsTopic, Schema.POLICY_TOPIC, service);
  }

  /** A service's agents: write its own events topic, read its own policy topic, nothing else. */
  public static List<AclBinding> agent(
      String principal, String eventsTopic, String policyTopic, String service) {
    List<AclBinding> acls = new ArrayList<>();
    // Read by assignment, without a consumer group: READ on the one topic is all it takes.
    add(
        acls,
        principal,
        ResourceType.TOPIC,
        PolicyTopics.topicFor(policyTopic, service),
        PatternType.LITERAL,
        AclOperation.READ,
        AclOperation.DESCRIBE);
    add(
        acls,
        principal,
        ResourceType.TOPIC,
        ServiceTopics.topicFor(eventsTopic, service),
        PatternType.LITERAL,
        AclOperation.WRITE,
        AclOperation.DESCRIBE);
    return acls;
  }

  private static void add(
      List<AclBinding> acls,
      String principal,
      ResourceType type,
      String name,
      PatternType pattern,
      AclOperation... operations) {
    for (AclOperation op : operations) {
      acls.add(
          new AclBinding(
              new ResourcePattern(type, name, pattern),
              new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW)));
    }
  }
}

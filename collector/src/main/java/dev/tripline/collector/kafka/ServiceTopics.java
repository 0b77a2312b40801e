package dev.tripline.collector.kafka;

import dev.tripline.config.ServiceTopicName;
import java.util.regex.Pattern;

/**
 * How a service name maps to its own events topic: {@code <topic.events>.<service>}, with every
 * character Kafka does not allow in a topic name ({@code [A-Za-z0-9._-]} only) replaced by {@code
 * _} and the whole cut to Kafka's 249 characters: {@link ServiceTopicName}, the one mapping the
 * agent applies to its {@code {service}} placeholder too (KafkaSink#topicFor).
 *
 * <p>The topic is the service's identity: only the principal with WRITE on that topic can speak for
 * the names that map to it. A batch read from a service topic whose payload names a service that
 * maps to another topic is refused.
 */
public final class ServiceTopics {
  /** Kafka's limit on topic names. */
  public static final int MAX_TOPIC_LENGTH = ServiceTopicName.MAX_LENGTH;

  private ServiceTopics() {}

  /**
   * The events topic of one service (the mapping the agent applies to its {@code {service}}
   * placeholder).
   */
  public static String topicFor(String eventsTopic, String service) {
    return ServiceTopicName.under(eventsTopic, service);
  }

  /**
   * Every per-service topic under {@code eventsTopic}, and nothing else (not the shared topic
   * itself).
   */
  public static Pattern pattern(String eventsTopic) {
    return Pattern.compile(Pattern.quote(eventsTopic + ".") + "[A-Za-z0-9._-]+");
  }

  /** True when {@code topic} is one service's events topic under {@code eventsTopic}. */
  public static boolean isServiceTopic(String eventsTopic, String topic) {
    return topic.length() > eventsTopic.length() + 1
        && topic.startsWith(eventsTopic)
        && topic.charAt(eventsTopic.length()) == '.';
  }

  /** True when a batch naming {@code service} may come from {@code topic}. */
  public static boolean speaksFor(String eventsTopic, String topic, String service) {
    return !service.isEmpty() && topic.equals(topicFor(eventsTopic, service));
  }
}

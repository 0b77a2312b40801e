package dev.tripline.config;

/**
 * How a service name becomes its own events topic, the same on both sides: the agent fills its
 * {@code kafka.topic} template ({@code tripline.events.{service}}), the collector derives the topic
 * a service may speak from ({@code <topic.events>.<service>}). Every character Kafka does not allow
 * in a topic name ({@code [A-Za-z0-9._-]} only) becomes {@code _}, and the whole is cut to Kafka's
 * 249 characters. The topic is the service's identity (ACLs per principal): both sides must agree
 * on it character for character.
 */
public final class ServiceTopicName {
  public static final String PLACEHOLDER = "{service}";

  /** Kafka's limit on topic names. */
  public static final int MAX_LENGTH = 249;

  private ServiceTopicName() {}

  /**
   * {@code template} with {@value #PLACEHOLDER} replaced by the service's name; without a
   * placeholder, the template itself.
   */
  public static String resolve(String template, String service) {
    int at = template.indexOf(PLACEHOLDER);
    if (at < 0) {
      return template;
    }
    return build(template.substring(0, at), service, template.substring(at + PLACEHOLDER.length()));
  }

  /**
   * The events topic of one service under {@code eventsTopic}: {@code eventsTopic + "." + service},
   * mapped.
   */
  public static String under(String eventsTopic, String service) {
    return build(eventsTopic + ".", service, "");
  }

  /** A character Kafka allows in a topic name. */
  public static boolean isLegal(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '.'
        || c == '_'
        || c == '-';
  }

  private static String build(String before, String service, String after) {
    int room = MAX_LENGTH - before.length();
    StringBuilder b =
        new StringBuilder(Math.min(MAX_LENGTH, before.length() + service.length() + after.length()))
            .append(before);
    for (int i = 0; i < service.length() && i < room; i++) {
      char c = service.charAt(i);
      b.append(isLegal(c) ? c : '_');
    }
    b.append(after);
    return b.length() > MAX_LENGTH ? b.substring(0, MAX_LENGTH) : b.toString();
  }
}

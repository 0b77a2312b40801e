package dev.tripline.agent.transport;

import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The agent carries its own, relocated Kafka client, so a class named in a producer setting by its
 * standard name ({@code org.apache.kafka.common.security.plain.PlainLoginModule} in {@code
 * sasl.jaas.config}, {@code sasl.login.callback.handler.class} …) does not exist for it. Such names
 * are mapped to the relocated ones; users write the standard JAAS line as documented by Kafka.
 */
final class KafkaClassNames {
  /**
   * {@code org.apache.kafka.}, built at run time: the shade plugin relocates string constants that
   * look like it.
   */
  static final String STANDARD = String.join(".", "org", "apache", "kafka", "");

  /**
   * Where this build of the agent keeps the client: {@link #STANDARD} when not relocated (unit
   * tests).
   */
  static final String RELOCATED =
      prefixOf(ProducerConfig.class.getName(), "clients.producer.ProducerConfig");

  static final String JAAS = "sasl.jaas.config";

  private KafkaClassNames() {}

  private static String prefixOf(String className, String suffix) {
    return className.endsWith(suffix)
        ? className.substring(0, className.length() - suffix.length())
        : STANDARD;
  }

  /**
   * A copy of {@code settings} with every standard Kafka class name replaced by {@code
   * relocated}'s.
   */
  static Properties relocate(Properties settings, String relocated) {
    Properties out = new Properties();
    for (String key : settings.stringPropertyNames()) {
      String value = settings.getProperty(key);
      out.setProperty(
          key,
          relocated.equals(STANDARD)
              ? value
              : key.equals(JAAS) ? relocateJaas(value, relocated) : relocateList(value, relocated));
    }
    return out;
  }

  /**
   * {@code a.B, org.apache.kafka.C} → {@code a.B, <relocated>C}: class lists and single class
   * names.
   */
  static String relocateList(String value, String relocated) {
    if (!value.contains(STANDARD)) {
      return value;
    }
    StringBuilder sb = new StringBuilder(value.length() + 32);
    int start = 0;
    while (start <= value.length()) {
      int comma = value.indexOf(',', start);
      int end = comma < 0 ? value.length() : comma;
      int nameStart = start;
      while (nameStart < end && Character.isWhitespace(value.charAt(nameStart))) nameStart++;
      sb.append(value, start, nameStart);
      if (value.startsWith(STANDARD, nameStart)) {
        sb.append(relocated).append(value, nameStart + STANDARD.length(), end);
      } else {
        sb.append(value, nameStart, end);
      }
      if (comma < 0) {
        break;
      }
      sb.append(',');
      start = comma + 1;
    }
    return sb.toString();
  }

  /**
   * JAAS text is {@code <LoginModule class> <flag> <option>="<value>" … ;} repeated: only the class
   * name that opens each entry is mapped, never anything inside an option's quoted value.
   */
  static String relocateJaas(String value, String relocated) {
    StringBuilder sb = new StringBuilder(value.length() + 32);
    boolean entryStart = true;
    boolean quoted = false;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (entryStart && !Character.isWhitespace(c)) {
        entryStart = false;
        if (value.startsWith(STANDARD, i)) {
          sb.append(relocated);
          i += STANDARD.length() - 1;
          continue;
        }
      }
      if (c == '"') {
        quoted = !quoted;
      } else if (c == '\\' && quoted && i + 1 < value.length()) {
        sb.append(c).append(value.charAt(++i));
        continue;
      } else if (c == ';' && !quoted) {
        entryStart = true;
      }
      sb.append(c);
    }
    return sb.toString();
  }
}

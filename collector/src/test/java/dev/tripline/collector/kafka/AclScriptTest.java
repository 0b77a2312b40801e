package dev.tripline.collector.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tripline.collector.config.CollectorConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

/**
 * deploy/kafka/tripline-acls.sh grants exactly the ACLs of {@link KafkaAcls}, which KafkaAclsTest
 * proves on a real broker: the script's {@code kafka-acls.sh} arguments are read back into
 * bindings.
 */
class AclScriptTest {
  private static final Path SCRIPT = Path.of("..", "deploy", "kafka", "tripline-acls.sh");
  private static final Map<String, String> DEFAULTS =
      Map.of(
          "$COLLECTOR_PRINCIPAL",
          "User:tripline-collector",
          "$EVENTS_TOPIC",
          "tripline.events",
          "$APP_ID",
          "tripline-collector",
          "${3:-User:svc-$2}",
          "User:svc-payments",
          "$POLICY_TOPIC",
          "tripline.policy",
          "$policy",
          "tripline.policy.payments");

  /**
   * The bindings one section of the script ({@code collector)} or {@code service)}) adds, for
   * service payments.
   */
  static Set<AclBinding> section(String name) throws Exception {
    String text = Files.readString(SCRIPT).replace("\\\n", " ");
    Set<AclBinding> out = new HashSet<>();
    String section = "";
    List<String> loop = null;
    for (String raw : text.split("\n")) {
      String line = raw.trim();
      Matcher s = Pattern.compile("^([a-z]+)\\)$").matcher(line);
      if (s.matches()) section = s.group(1);
      if (!section.equals(name)) continue;
      Matcher f = Pattern.compile("^for t in (.*); do$").matcher(line);
      if (f.matches()) loop = List.of(substitute(f.group(1)).split("\\s+"));
      if (line.equals("done")) loop = null;
      if (!line.startsWith("acl ")) continue;
      List<String> values =
          loop != null
              ? loop
              : List.of("tripline.events.payments"); // $t in service) is the service topic
      for (String t : values) {
        out.addAll(bindings(substitute(line).replace("$t", t).split("\\s+")));
      }
    }
    return out;
  }

  static String substitute(String line) {
    String s = line.replace("\"", "");
    for (Map.Entry<String, String> d : DEFAULTS.entrySet()) s = s.replace(d.getKey(), d.getValue());
    return s;
  }

  static List<AclBinding> bindings(String[] args) {
    String principal = null;
    String name = null;
    ResourceType type = null;
    PatternType pattern = PatternType.LITERAL;
    List<AclOperation> ops = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      switch (args[i]) {
        case "--allow-principal" -> principal = args[++i];
        case "--operation" ->
            ops.add(
                AclOperation.valueOf(
                    args[++i].replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT)));
        case "--topic" -> {
          type = ResourceType.TOPIC;
          name = args[++i];
        }
        case "--cluster" -> {
          type = ResourceType.CLUSTER;
          name = "kafka-cluster";
        }
        case "--group" -> {
          type = ResourceType.GROUP;
          name = args[++i];
        }
        case "--transactional-id" -> {
          type = ResourceType.TRANSACTIONAL_ID;
          name = args[++i];
        }
        case "--resource-pattern-type" ->
            pattern = PatternType.valueOf(args[++i].toUpperCase(Locale.ROOT));
        default -> {}
      }
    }
    List<AclBinding> out = new ArrayList<>();
    for (AclOperation op : ops) {
      out.add(
          new AclBinding(
              new ResourcePattern(type, name, pattern),
              new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW)));
    }
    return out;
  }

  @Test
  void theScriptGrantsTheCollectorWhatKafkaAclsGrants() throws Exception {
    Set<AclBinding> expected =
        new HashSet<>(KafkaAcls.collector("User:tripline-collector", CollectorConfig.defaults()));
    assertEquals(expected, section("collector"));
  }

  @Test
  void theScriptGrantsAServiceOnlyItsOwnTopic() throws Exception {
    assertEquals(
        new HashSet<>(KafkaAcls.agent("User:svc-payments", "tripline.events", "payments")),
        section("service"));
  }
}

package dev.tripline.collector.kafka;

import dev.tripline.config.ServiceTopicName;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * A service's policy topic: {@code <topic.policy>.<service>}, the service name mapped as for its
 * events topic ({@link ServiceTopicName}, the one mapping the agent applies too), so a per-service
 * principal can be granted READ on exactly its own (a LITERAL ACL). One partition (one record per
 * service), compacted: the latest policy is kept forever, older versions go.
 */
public final class PolicyTopics {
  /** Compacted, and never deleted by age or size. */
  public static final Map<String, String> CONFIG =
      Map.of("cleanup.policy", "compact", "retention.ms", "-1", "retention.bytes", "-1");

  private PolicyTopics() {}

  public static String topicFor(String policyTopic, String service) {
    return ServiceTopicName.under(policyTopic, service);
  }

  /** Creates the topic when missing (compacted, one partition); a racing creator is fine. */
  public static void ensure(Admin admin, String topic, short replication) {
    try {
      if (admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic)) {
        return;
      }
      admin
          .createTopics(List.of(new NewTopic(topic, 1, replication).configs(CONFIG)))
          .all()
          .get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException("cannot create " + topic + ": " + e.getCause(), e);
      }
    } catch (TimeoutException e) {
      throw new IllegalStateException("creating " + topic + " timed out", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating " + topic, e);
    }
  }
}

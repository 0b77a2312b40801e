package dev.tripline.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates topics that are missing; leaves existing ones as they are. */
public final class Topics {
  private Topics() {}

  /**
   * Ensures each topic exists.
   *
   * @param partitions topic name -> partition count
   * @return the names that were created now
   */
  public static List<String> ensure(
      Admin admin,
      Map<String, Integer> partitions,
      short replicationFactor,
      Map<String, String> config) {
    try {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> missing = new ArrayList<>();
      partitions.forEach(
          (name, count) -> {
            if (!existing.contains(name)) {
              missing.add(new NewTopic(name, count, replicationFactor).configs(config));
            }
          });
      List<String> created = new ArrayList<>();
      for (NewTopic topic : missing) {
        try {
          admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
          created.add(topic.name());
        } catch (ExecutionException e) {
          if (!(e.getCause()
              instanceof TopicExistsException)) { // another collector won the race: fine
            throw new IllegalStateException(
                "cannot create topic " + topic.name() + ": " + e.getCause().getMessage(),
                e.getCause());
          }
        }
      }
      return created;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot list topics: " + e.getMessage(), e);
    }
  }
}

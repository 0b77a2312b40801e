package dev.tripline.collector.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.SecurityDisabledException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.jspecify.annotations.Nullable;

/**
 * Which services speak through a topic of their own, as the broker's ACLs say: a service is bound
 * to {@code <topic.events>.<service>} when an ACL lets a named principal (not {@code User:*}) WRITE
 * that topic (LITERAL), or a prefix ending in a dot that covers it (PREFIXED, a family of
 * services). Every stream task asks this one collector-wide view, so whether the shared topic may
 * speak for a service never depends on which partition, task or instance a batch reaches.
 *
 * <p>Why the ACLs and not the topic list or the batches seen: granting WRITE takes ALTER on the
 * cluster (an operator), while on an open broker any process can create {@code
 * tripline.events.<victim>} and write to it. On a broker without an authorizer nothing is bound
 * (everyone may write anything, so no topic is evidence of identity; the collector says so at
 * start-up), and an attacker's topic does not silence the victim's shared-topic batches. When the
 * collector may not describe ACLs (no DESCRIBE on the cluster), the existing service topics are
 * taken as bound (creating one takes CREATE, which only operators hold under an authorizer), and
 * that is said once on stderr. A failed refresh keeps the last answer.
 */
public final class ServiceTopicOwners implements AutoCloseable {
  /** Where the current answer comes from. */
  public enum Authority {
    /** Not asked yet (topology tests): nothing bound. */
    NOT_ASKED,
    /** The broker has no authorizer: nothing bound, every topic is writable by anyone. */
    OPEN,
    /** From the broker's ACLs. */
    ACLS,
    /** Under an authorizer, ACLs not readable: existing service topics. */
    TOPICS
  }

  /** How often the view is refreshed (a new service's ACL is honoured within this). */
  public static final Duration REFRESH = Duration.ofSeconds(5);

  private final String eventsTopic;
  private volatile Set<String> topics = Set.of();
  private volatile List<String> prefixes = List.of();
  private volatile Authority authority = Authority.NOT_ASKED;
  private volatile @Nullable String lastProblem;
  private @Nullable ScheduledExecutorService timer;
  private @Nullable Admin admin;

  public ServiceTopicOwners(String eventsTopic) {
    this.eventsTopic = eventsTopic;
  }

  /** True when the service has a topic of its own that only its principals may write. */
  public boolean bound(String service) {
    Set<String> topics = this.topics;
    List<String> prefixes = this.prefixes;
    if (topics.isEmpty() && prefixes.isEmpty()) {
      return false; // nothing bound (the usual case without service topics): no name built per
      // batch
    }
    String topic = ServiceTopics.topicFor(eventsTopic, service);
    if (topics.contains(topic)) return true;
    for (String p : prefixes) {
      if (topic.startsWith(p)) return true;
    }
    return false;
  }

  public Authority authority() {
    return authority;
  }

  /** Asks the broker once now, then every {@link #REFRESH} on a daemon thread. */
  public ServiceTopicOwners start(Properties adminProperties) {
    admin = Admin.create(adminProperties);
    refresh(admin);
    ScheduledExecutorService t =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread th = new Thread(r, "tripline-service-topic-owners");
              th.setDaemon(true);
              return th;
            });
    Admin a = admin;
    // refresh never throws, so the periodic future never completes with an error worth reading
    var unused =
        t.scheduleWithFixedDelay(
            () -> refresh(a), REFRESH.toMillis(), REFRESH.toMillis(), TimeUnit.MILLISECONDS);
    timer = t;
    return this;
  }

  /** One refresh from the broker; never throws. */
  public void refresh(Admin admin) {
    try {
      Collection<AclBinding> acls =
          admin
              .describeAcls(
                  new AclBindingFilter(
                      new ResourcePatternFilter(ResourceType.TOPIC, null, PatternType.ANY),
                      new AccessControlEntryFilter(
                          null, null, AclOperation.ANY, AclPermissionType.ALLOW)))
              .values()
              .get(30, TimeUnit.SECONDS);
      fromAcls(acls);
      authority = Authority.ACLS;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof SecurityDisabledException) {
        topics = Set.of();
        prefixes = List.of();
        authority = Authority.OPEN;
      } else if (e.getCause() instanceof ClusterAuthorizationException) {
        fromTopicList(admin);
      } else {
        problem("cannot describe ACLs (" + e.getCause() + "); keeping the last answer");
      }
    } catch (TimeoutException e) {
      problem("describing ACLs timed out; keeping the last answer");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      problem("cannot describe ACLs (" + e + "); keeping the last answer");
    }
  }

  private void fromAcls(Collection<AclBinding> acls) {
    Set<String> literal = new HashSet<>();
    List<String> prefixed = new ArrayList<>();
    for (AclBinding b : acls) {
      AclOperation op = b.entry().operation();
      if ((op != AclOperation.WRITE && op != AclOperation.ALL)
          || b.entry().principal().equals("User:*")) {
        continue;
      }
      String name = b.pattern().name();
      if (!ServiceTopics.isServiceTopic(eventsTopic, name)) continue;
      if (b.pattern().patternType() == PatternType.LITERAL) {
        literal.add(name);
      } else if (b.pattern().patternType() == PatternType.PREFIXED && name.endsWith(".")) {
        prefixed.add(name);
      }
    }
    topics = Set.copyOf(literal);
    prefixes = List.copyOf(prefixed);
  }

  private void fromTopicList(Admin admin) {
    try {
      Set<String> names = new HashSet<>();
      for (String t : admin.listTopics().names().get(30, TimeUnit.SECONDS)) {
        if (ServiceTopics.isServiceTopic(eventsTopic, t)) names.add(t);
      }
      topics = Set.copyOf(names);
      prefixes = List.of();
      authority = Authority.TOPICS;
      problem(
          "may not describe the broker's ACLs (grant the collector DESCRIBE on the cluster):"
              + " taking every existing "
              + eventsTopic
              + ".<service> topic as its service's own");
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      problem("cannot list topics (" + e + "); keeping the last answer");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Said once per distinct problem, never per refresh. */
  private void problem(String message) {
    if (!message.equals(lastProblem)) {
      lastProblem = message;
      System.err.println("[tripline] service topic owners: " + message);
    }
  }

  @Override
  public void close() {
    if (timer != null) timer.shutdownNow();
    if (admin != null) admin.close(Duration.ofSeconds(5));
  }
}

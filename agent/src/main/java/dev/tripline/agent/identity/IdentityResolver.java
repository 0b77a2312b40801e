package dev.tripline.agent.identity;

import dev.tripline.agent.config.AgentConfig;
import dev.tripline.agent.config.AgentKeys;
import dev.tripline.model.AgentIdentity;
import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Who this JVM is: the service (profiles are kept per service), this run (instance id), and where
 * it runs (host, container, Kubernetes pod). Resolved once on the pipeline thread; never does DNS.
 */
public final class IdentityResolver {
  private static final Pattern CONTAINER_ID = Pattern.compile("([0-9a-f]{64})");

  private IdentityResolver() {}

  public static AgentIdentity resolve(AgentConfig config) {
    return resolve(config, System.getenv(), "/proc/self/cgroup", "/proc/self/mountinfo");
  }

  public static AgentIdentity resolve(
      AgentConfig config, Map<String, String> env, String cgroupFile, String mountinfoFile) {
    AgentIdentity.Builder b =
        AgentIdentity.newBuilder()
            .setService(serviceName(config, env))
            .setInstanceId(UUID.randomUUID().toString())
            .setHost(host(env))
            .setContainerId(containerId(cgroupFile, mountinfoFile))
            .setJvmVersion(
                System.getProperty("java.runtime.version", System.getProperty("java.version", "")))
            .setAgentVersion(agentVersion())
            .setPid(ProcessHandle.current().pid())
            .setStartTimeMs(ManagementFactory.getRuntimeMXBean().getStartTime())
            .putAllLabels(config.labels());
    String version = config.get(AgentKeys.SERVICE_VERSION);
    b.setServiceVersion(version.isEmpty() ? mainJarVersion() : version);
    b.setImage(env.getOrDefault("TRIPLINE_IMAGE", ""));
    if (env.containsKey("KUBERNETES_SERVICE_HOST")) {
      // Downward API names used by deploy/kubernetes/agent-injection; HOSTNAME is the pod name by
      // default.
      b.setK8SPod(env.getOrDefault("POD_NAME", env.getOrDefault("HOSTNAME", "")));
      b.setK8SNamespace(env.getOrDefault("POD_NAMESPACE", ""));
      b.setK8SNode(env.getOrDefault("NODE_NAME", ""));
    }
    return b.build();
  }

  static String serviceName(AgentConfig config, Map<String, String> env) {
    String name = config.get(AgentKeys.SERVICE_NAME);
    if (!name.isEmpty()) {
      return name;
    }
    String otel = env.get("OTEL_SERVICE_NAME");
    if (otel != null && !otel.isEmpty()) {
      return otel;
    }
    String command = System.getProperty("sun.java.command", "").trim();
    String main = command.isEmpty() ? "unknown" : command.split("\\s+", -1)[0];
    if (main.endsWith(".jar")) {
      String file = main.substring(main.lastIndexOf('/') + 1);
      return file.substring(0, file.length() - 4)
          .replaceAll("-\\d[\\w.-]*$", ""); // billing-2.3.1.jar → billing
    }
    return main.substring(main.lastIndexOf('.') + 1);
  }

  static String host(Map<String, String> env) {
    String h = env.get("HOSTNAME");
    if (h != null && !h.isEmpty()) {
      return h;
    }
    String etc = firstLine("/etc/hostname");
    return etc == null ? "" : etc.trim();
  }

  /**
   * From cgroup v1/v2 paths (docker, containerd, cri-o), else from mountinfo
   * (/docker/containers/<id>/).
   */
  static String containerId(String cgroupFile, String mountinfoFile) {
    String id = scan(cgroupFile, false);
    return id != null ? id : (id = scan(mountinfoFile, true)) != null ? id : "";
  }

  private static @Nullable String scan(String file, boolean mountinfo) {
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(new FileInputStream(file), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        if (mountinfo && !line.contains("/containers/")) {
          continue;
        }
        Matcher m = CONTAINER_ID.matcher(line);
        if (m.find()) {
          return m.group(1);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not in a container, or not Linux
    }
    return null;
  }

  private static String agentVersion() {
    Package p = IdentityResolver.class.getPackage();
    String v = p == null ? null : p.getImplementationVersion();
    return v == null ? "dev" : v;
  }

  private static String mainJarVersion() {
    String command = System.getProperty("sun.java.command", "").trim();
    String main = command.isEmpty() ? "" : command.split("\\s+", -1)[0];
    if (!main.endsWith(".jar")) {
      return "";
    }
    try (JarFile jar = new JarFile(main)) {
      String v =
          jar.getManifest() == null
              ? null
              : jar.getManifest().getMainAttributes().getValue("Implementation-Version");
      return v == null ? "" : v;
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  private static @Nullable String firstLine(String file) {
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(new FileInputStream(file), StandardCharsets.UTF_8))) {
      return r.readLine();
    } catch (IOException e) {
      return null;
    }
  }
}

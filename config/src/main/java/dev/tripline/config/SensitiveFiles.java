package dev.tripline.config;

import java.util.ArrayList;
import java.util.List;

/**
 * The credential and runtime files the collector's built-in known-bad rules name ({@code
 * credential-file}, {@code k8s-sa-token}, {@code container-socket}), as concrete paths the agent
 * can look at: a hard link IS the file, so the agent recognises one of these by device and inode
 * whatever the name it is opened under. The collector's tests hold every path here to a rule that
 * matches it.
 */
public final class SensitiveFiles {
  /** Absolute paths, the same on every host. */
  public static final List<String> ABSOLUTE =
      List.of(
          "/etc/shadow",
          "/etc/gshadow",
          "/var/run/docker.sock",
          "/run/docker.sock",
          "/run/containerd/containerd.sock",
          "/run/crio/crio.sock",
          "/run/podman/podman.sock",
          "/var/run/secrets/kubernetes.io/serviceaccount/token",
          "/run/secrets/kubernetes.io/serviceaccount/token",
          "/var/run/secrets/eks.amazonaws.com/serviceaccount/token");

  /** Relative to a user's home directory. */
  public static final List<String> IN_HOME =
      List.of(
          ".ssh/id_rsa",
          ".ssh/id_ed25519",
          ".ssh/id_ecdsa",
          ".ssh/id_dsa",
          ".aws/credentials",
          ".aws/config",
          ".kube/config",
          ".docker/config.json",
          ".git-credentials",
          ".netrc",
          ".pgpass",
          ".vault-token",
          ".m2/settings.xml",
          ".m2/settings-security.xml",
          ".npmrc",
          ".pypirc",
          ".gradle/gradle.properties",
          ".config/gh/hosts.yml",
          ".config/gcloud/credentials.db",
          ".config/gcloud/access_tokens.db",
          ".config/gcloud/application_default_credentials.json",
          ".azure/accessTokens.json",
          ".azure/msal_token_cache.json",
          ".terraform.d/credentials.tfrc.json",
          ".bash_history");

  private SensitiveFiles() {}

  /**
   * Every sensitive path for a JVM whose user's home is {@code home} (and root's, which a JVM
   * running as root reads as its own), plus {@code extra} absolute paths (configured).
   */
  public static List<String> paths(String home, List<String> extra) {
    List<String> out = new ArrayList<>(ABSOLUTE);
    for (String h : homes(home)) {
      for (String f : IN_HOME) out.add(h + "/" + f);
    }
    for (String p : extra) {
      if (p.startsWith("/") && !out.contains(p)) out.add(p);
    }
    return out;
  }

  private static List<String> homes(String home) {
    List<String> homes = new ArrayList<>(2);
    String h = home.endsWith("/") ? home.substring(0, home.length() - 1) : home;
    if (h.startsWith("/")) homes.add(h);
    if (!homes.contains("/root")) homes.add("/root");
    return homes;
  }
}

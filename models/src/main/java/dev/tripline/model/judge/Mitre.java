package dev.tripline.model.judge;

import dev.tripline.model.MitreTechnique;

/** The ATT&CK techniques Tripline alerts name. */
public final class Mitre {
  private Mitre() {}

  public static final MitreTechnique UNIX_SHELL =
      t("T1059.004", "Command and Scripting Interpreter: Unix Shell", "Execution");
  public static final MitreTechnique COMMAND_INTERPRETER =
      t("T1059", "Command and Scripting Interpreter", "Execution");
  public static final MitreTechnique PYTHON =
      t("T1059.006", "Command and Scripting Interpreter: Python", "Execution");
  public static final MitreTechnique JAVASCRIPT =
      t("T1059.007", "Command and Scripting Interpreter: JavaScript", "Execution");
  public static final MitreTechnique SSH_AUTHORIZED_KEYS =
      t("T1098.004", "Account Manipulation: SSH Authorized Keys", "Persistence");
  public static final MitreTechnique INGRESS_TOOL_TRANSFER =
      t("T1105", "Ingress Tool Transfer", "Command and Control");
  public static final MitreTechnique CREDENTIALS_IN_FILES =
      t("T1552.001", "Unsecured Credentials: Credentials In Files", "Credential Access");
  public static final MitreTechnique CLOUD_METADATA =
      t("T1552.005", "Unsecured Credentials: Cloud Instance Metadata API", "Credential Access");
  public static final MitreTechnique CONTAINER_API =
      t("T1552.007", "Unsecured Credentials: Container API", "Credential Access");
  public static final MitreTechnique PROC_ENVIRON =
      t("T1552", "Unsecured Credentials", "Credential Access");
  public static final MitreTechnique EXPLOIT_PUBLIC_APP =
      t("T1190", "Exploit Public-Facing Application", "Initial Access");
  public static final MitreTechnique APP_LAYER_PROTOCOL =
      t("T1071", "Application Layer Protocol", "Command and Control");
  public static final MitreTechnique NON_STANDARD_PORT =
      t("T1571", "Non-Standard Port", "Command and Control");
  public static final MitreTechnique DATA_FROM_LOCAL_SYSTEM =
      t("T1005", "Data from Local System", "Collection");
  public static final MitreTechnique STORED_DATA_MANIPULATION =
      t("T1565.001", "Data Manipulation: Stored Data Manipulation", "Impact");
  public static final MitreTechnique NETWORK_SERVICE_DISCOVERY =
      t("T1046", "Network Service Discovery", "Discovery");
  public static final MitreTechnique EXFILTRATION_OVER_C2 =
      t("T1041", "Exfiltration Over C2 Channel", "Exfiltration");
  public static final MitreTechnique ESCAPE_TO_HOST =
      t("T1611", "Escape to Host", "Privilege Escalation");
  public static final MitreTechnique IMPAIR_DEFENSES =
      t("T1562.001", "Impair Defenses: Disable or Modify Tools", "Defense Evasion");
  public static final MitreTechnique SHARED_MODULES = t("T1129", "Shared Modules", "Execution");
  public static final MitreTechnique HIJACK_EXECUTION_FLOW =
      t("T1574", "Hijack Execution Flow", "Defense Evasion");
  public static final MitreTechnique REFLECTIVE_CODE_LOADING =
      t("T1620", "Reflective Code Loading", "Defense Evasion");

  private static final java.util.Map<String, MitreTechnique> BY_ID =
      java.util.stream.Stream.of(
              UNIX_SHELL,
              COMMAND_INTERPRETER,
              PYTHON,
              JAVASCRIPT,
              SSH_AUTHORIZED_KEYS,
              INGRESS_TOOL_TRANSFER,
              CREDENTIALS_IN_FILES,
              CLOUD_METADATA,
              CONTAINER_API,
              PROC_ENVIRON,
              EXPLOIT_PUBLIC_APP,
              APP_LAYER_PROTOCOL,
              NON_STANDARD_PORT,
              DATA_FROM_LOCAL_SYSTEM,
              STORED_DATA_MANIPULATION,
              NETWORK_SERVICE_DISCOVERY,
              EXFILTRATION_OVER_C2,
              ESCAPE_TO_HOST,
              IMPAIR_DEFENSES,
              SHARED_MODULES,
              HIJACK_EXECUTION_FLOW,
              REFLECTIVE_CODE_LOADING)
          .collect(java.util.stream.Collectors.toMap(MitreTechnique::getId, m -> m));

  /** A known technique by id, or one carrying only the id (user rules may name any technique). */
  public static MitreTechnique byId(String id) {
    return BY_ID.getOrDefault(id, MitreTechnique.newBuilder().setId(id).build());
  }

  public static MitreTechnique t(String id, String name, String tactic) {
    return MitreTechnique.newBuilder().setId(id).setName(name).setTactic(tactic).build();
  }
}

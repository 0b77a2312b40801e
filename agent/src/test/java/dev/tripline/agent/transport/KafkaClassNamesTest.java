package dev.tripline.agent.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Properties;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.Test;

class KafkaClassNamesTest {
  private static final String R = "dev.tripline.agent.shaded.org.apache.kafka.";
  private static final String S = KafkaClassNames.STANDARD;

  @Test
  void theStandardPrefixIsKafkasOwn() {
    assertEquals("org.apache.kafka.", S);
    assertTrue(KafkaClassNames.RELOCATED.endsWith("org.apache.kafka."), KafkaClassNames.RELOCATED);
  }

  @Test
  void theStandardJaasLineNamesTheRelocatedLoginModule() {
    String plain =
        S
            + "common.security.plain.PlainLoginModule required username=\"agent\" password=\""
            + S
            + "x;y\";";
    assertEquals(
        R
            + "common.security.plain.PlainLoginModule required username=\"agent\" password=\""
            + S
            + "x;y\";",
        KafkaClassNames.relocateJaas(plain, R),
        "only the class that opens an entry; never a quoted value");
    String two =
        "  "
            + S
            + "common.security.scram.ScramLoginModule required username=\"a\" password=\"b\";\n"
            + S
            + "common.security.plain.PlainLoginModule optional;";
    assertEquals(
        "  "
            + R
            + "common.security.scram.ScramLoginModule required username=\"a\" password=\"b\";\n"
            + R
            + "common.security.plain.PlainLoginModule optional;",
        KafkaClassNames.relocateJaas(two, R));
    String custom = "com.acme.LoginModule required key=\"" + S + "Foo\";";
    assertEquals(
        custom,
        KafkaClassNames.relocateJaas(custom, R),
        "a module of the user's own is left alone");
  }

  @Test
  void classSettingsAndClassListsAreMapped() {
    Properties p = new Properties();
    p.setProperty(
        "sasl.jaas.config", S + "common.security.oauthbearer.OAuthBearerLoginModule required;");
    p.setProperty(
        "sasl.login.callback.handler.class",
        S + "common.security.oauthbearer.OAuthBearerLoginCallbackHandler");
    p.setProperty("metric.reporters", "com.acme.Reporter, " + S + "common.metrics.JmxReporter");
    p.setProperty("security.protocol", "SASL_SSL");
    Properties out = KafkaClassNames.relocate(p, R);
    assertEquals(
        R + "common.security.oauthbearer.OAuthBearerLoginModule required;",
        out.getProperty("sasl.jaas.config"));
    assertEquals(
        R + "common.security.oauthbearer.OAuthBearerLoginCallbackHandler",
        out.getProperty("sasl.login.callback.handler.class"));
    assertEquals(
        "com.acme.Reporter, " + R + "common.metrics.JmxReporter",
        out.getProperty("metric.reporters"));
    assertEquals("SASL_SSL", out.getProperty("security.protocol"));
    assertEquals(
        p,
        KafkaClassNames.relocate(p, S),
        "nothing to do when the client is not relocated (unit tests)");
  }

  @Test
  void theRootCauseIsNamedAndNoSecretIsQuoted() {
    Properties p = new Properties();
    p.setProperty("bootstrap.servers", "k:9092");
    p.setProperty(
        "sasl.jaas.config", "x.LoginModule required username=\"agent\" password=\"hunter2-pw\";");
    p.setProperty("ssl.keystore.password", "ks-secret");
    Exception e =
        new KafkaException(
            "Failed to construct kafka producer",
            new KafkaException(
                "bad",
                new IllegalArgumentException(
                    "Unexpected token near password=\"hunter2-pw\" and ks-secret")));
    String line = KafkaSink.rootCause(e, p);
    assertTrue(line.startsWith("java.lang.IllegalArgumentException: Unexpected token near"), line);
    assertFalse(line.contains("hunter2-pw") || line.contains("ks-secret"), line);
  }
}

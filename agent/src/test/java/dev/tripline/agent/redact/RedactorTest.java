package dev.tripline.agent.redact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import org.junit.jupiter.api.Test;

class RedactorTest {
  private static final String M = Redactor.MASK;

  @Test
  void argvKeepsItsShapeAndLosesItsSecrets() {
    assertEquals(List.of("mysql", "-u", "app", "-p", M, "orders"),
        Redactor.argv(new String[] {"mysql", "-u", "app", "-p", "hunter2", "orders"}));
    assertEquals(List.of("deploy", "--token", M, "--region", "eu-west-1"),
        Redactor.argv(new String[] {"deploy", "--token", "tok-123", "--region", "eu-west-1"}));
    assertEquals(List.of("java", "-Ddb.password=" + M, "-Dserver.port=8080"),
        Redactor.argv(new String[] {"java", "-Ddb.password=s3cret", "-Dserver.port=8080"}));
  }

  @Test
  void textMasksUrlCredentialsKeysAndTokens() {
    assertEquals("postgres://app:" + M + "@db:5432/orders", Redactor.text("postgres://app:pa55@db:5432/orders"));
    assertEquals("aws " + M + " used", Redactor.text("aws AKIAIOSFODNN7EXAMPLE used"));
    assertEquals("Authorization: Bearer " + M, Redactor.text("Authorization: Bearer abcdefgh12345678"));
    assertEquals("API_KEY=" + M + " MODE=fast", Redactor.text("API_KEY=xyz987 MODE=fast"));
    String jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.c2lnbmF0dXJlLXZhbHVl";
    assertFalse(Redactor.text("token " + jwt).contains(jwt));
  }

  @Test
  void harmlessTextIsUntouched() {
    for (String s : new String[] {"/etc/app/app.conf", "https://api.example.com/v1/orders?page=2", "mode=fast", "/bin/sh -c id"}) {
      assertEquals(s, Redactor.text(s));
    }
  }
}

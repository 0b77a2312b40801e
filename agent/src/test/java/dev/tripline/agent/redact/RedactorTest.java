package dev.tripline.agent.redact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One row per form: the argv a process was spawned with, and what leaves the agent. {@code ⊗}
 * stands for the mask.
 */
class RedactorTest {
  private static final String M = Redactor.MASK;

  private static Arguments row(String form, String input, String expected) {
    return Arguments.of(form, input, expected);
  }

  /** Words separated by {@code |} (so a word may hold blanks). */
  static Stream<Arguments> secrets() {
    return Stream.of(
        // flags whose next argument is the secret
        row(
            "--db-password X",
            "app|--db-password|hunter2|--port|5432",
            "app|--db-password|⊗|--port|5432"),
        row(
            "--client-secret X",
            "app|--client-secret|c5-9xq|--client-id|web",
            "app|--client-secret|⊗|--client-id|web"),
        row(
            "--passphrase X",
            "gpg|--batch|--passphrase|open sesame|-d|f.gpg",
            "gpg|--batch|--passphrase|⊗|-d|f.gpg"),
        row(
            "--token X",
            "deploy|--token|tok-123|--region|eu-west-1",
            "deploy|--token|⊗|--region|eu-west-1"),
        row(
            "--password --token X leaks nothing",
            "app|--password|--token|tok-xyz",
            "app|--password|--token|⊗"),
        row(
            "-storepass X (keytool)",
            "keytool|-list|-storepass|changeit|-keystore|ks.p12",
            "keytool|-list|-storepass|⊗|-keystore|ks.p12"),
        row("--password=X", "app|--password=hunter2", "app|--password=⊗"),
        row(
            "-Dkey.password=X",
            "java|-Ddb.password=s3cret|-Dserver.port=8080",
            "java|-Ddb.password=⊗|-Dserver.port=8080"),
        row("NAME_KEY=X", "env|API_KEY=xyz987|MODE=fast|app", "env|API_KEY=⊗|MODE=fast|app"),
        // programs whose short flags carry passwords
        row("mysql -pX", "mysql|-uroot|-phunter2|orders", "mysql|-uroot|-p⊗|orders"),
        row("mysql -p X", "mysql|-u|app|-p|hunter2|orders", "mysql|-u|app|-p|⊗|orders"),
        row("mysqldump -pX", "/usr/bin/mysqldump|-pS3cr3t|shop", "/usr/bin/mysqldump|-p⊗|shop"),
        row(
            "mysql -uroot -pX in sh -c",
            "sh|-c|mysql -uroot -phunter2 orders",
            "sh|-c|mysql -uroot -p⊗ orders"),
        row(
            "sh -c with quotes and a chain",
            "/bin/bash|-lc|cd /srv && exec mysql -uroot -p'hunter 2' shop",
            "/bin/bash|-lc|cd /srv && exec mysql -uroot -p⊗ shop"),
        row("nested sh -c", "sh|-c|bash -c 'mysql -pX1 db'", "sh|-c|bash -c 'mysql -p⊗ db'"),
        row(
            "redis-cli -a X",
            "redis-cli|-h|cache|-p|6379|-a|r3dis|ping",
            "redis-cli|-h|cache|-p|6379|-a|⊗|ping"),
        row(
            "redis-cli -a X in sh -c",
            "sh|-c|redis-cli -a r3dis ping",
            "sh|-c|redis-cli -a ⊗ ping"),
        row("sshpass -p X", "sshpass|-p|hunter2|ssh|deploy@host", "sshpass|-p|⊗|ssh|deploy@host"),
        row(
            "mongosh -p X",
            "mongosh|-u|admin|-p|m0ngo|--authenticationDatabase|admin",
            "mongosh|-u|admin|-p|⊗|--authenticationDatabase|admin"),
        row(
            "curl -u admin:X",
            "curl|-u|admin:hunter2|https://api.example.com",
            "curl|-u|admin:⊗|https://api.example.com"),
        row(
            "curl --user=admin:X",
            "curl|--user=admin:hunter2|https://api.example.com",
            "curl|--user=admin:⊗|https://api.example.com"),
        row("curl -uadmin:X", "curl|-uadmin:hunter2|https://h", "curl|-uadmin:⊗|https://h"),
        row(
            "curl -u in sh -c",
            "sh|-c|curl -sf -u 'admin:hunter 2' https://h/x",
            "sh|-c|curl -sf -u 'admin:⊗' https://h/x"),
        row("unzip -P X", "unzip|-P|zipPw|a.zip", "unzip|-P|⊗|a.zip"),
        // headers and tokens
        row("X-Api-Key: X", "curl|-H|X-Api-Key: k-123|https://h", "curl|-H|X-Api-Key: ⊗|https://h"),
        row("X-Api-Key:X", "curl|-H|X-Api-Key:k-123|https://h", "curl|-H|X-Api-Key:⊗|https://h"),
        row(
            "Authorization: token X",
            "curl|-H|Authorization: token ghp_abc|https://h",
            "curl|-H|Authorization: token ⊗|https://h"),
        row(
            "Authorization: X",
            "curl|-H|Authorization: abc123|https://h",
            "curl|-H|Authorization: ⊗|https://h"),
        row(
            "short bearer",
            "curl|-H|Authorization: Bearer abc|https://h",
            "curl|-H|Authorization: Bearer ⊗|https://h"),
        row("bearer alone", "tool|bearer xyz", "tool|bearer ⊗"),
        row("Cookie: X", "curl|-H|Cookie: session=abc|https://h", "curl|-H|Cookie: ⊗|https://h"),
        row(
            "headers in sh -c",
            "sh|-c|curl -H 'X-Api-Key: k-1' -H \"Authorization: Bearer t\" https://h",
            "sh|-c|curl -H 'X-Api-Key: ⊗' -H \"Authorization: Bearer ⊗\" https://h"),
        row(
            "{\"password\":\"X\"}",
            "curl|-d|{\"user\":\"bob\",\"password\":\"p\\\"w\"}|https://h",
            "curl|-d|{\"user\":\"bob\",\"password\":\"⊗\"}|https://h"),
        row(
            "{\"api_key\": \"X\"}",
            "app|{\"api_key\": \"k-1\", \"page\": 2}",
            "app|{\"api_key\": \"⊗\", \"page\": 2}"),
        // URLs
        row(
            "URL user:password",
            "psql|postgres://app:pa55@db:5432/orders",
            "psql|postgres://app:⊗@db:5432/orders"),
        row(
            "URL password with @",
            "git|clone|https://user:p@ss-X@host/r.git",
            "git|clone|https://user:⊗@host/r.git"),
        row(
            "query string token",
            "curl|https://h/x?user=a&access_token=abc&page=2",
            "curl|https://h/x?user=a&access_token=⊗&page=2"),
        row("a=b,password=X", "app|-Dopts=a=b,password=pw1", "app|-Dopts=a=b,password=⊗"),
        row(
            "URL in sh -c",
            "sh|-c|wget -q https://bob:pw@example.org/x -O /tmp/x",
            "sh|-c|wget -q https://bob:⊗@example.org/x -O /tmp/x"),
        // keys recognised by their shape
        row("AWS key", "aws|AKIAIOSFODNN7EXAMPLE|s3", "aws|⊗|s3"),
        row("JWT", "app|eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.c2lnbmF0dXJlLXZhbHVl", "app|⊗"));
  }

  /** Ordinary command lines: nothing to mask, nothing changed. */
  static Stream<String> harmless() {
    return Stream.of(
        "java|-Xmx512m|-XX:+UseG1GC|-jar|app.jar",
        "ssh|-p|2222|deploy@10.0.0.1",
        "ssh|-p2222|deploy@10.0.0.1",
        "redis-cli|-h|cache|-p|6379|ping",
        "psql|-h|db|-p|5432|-U|app|--no-password|orders",
        "docker|run|-p|8080:80|-u|1000:1000|nginx",
        "mkdir|-p|/tmp/app/data",
        "cp|-pr|a|b",
        "java|-p|mods|-m|app/dev.App",
        "docker|login|--password-stdin|-u|bob|registry.example.com",
        "app|--password-file|/run/secrets/db",
        "git|commit|--author=Bob <bob@example.org>|-m|fix",
        "git|clone|git@github.com:org/repo.git",
        "curl|-u|admin|https://auth-server:8443/login",
        "sh|-c|id",
        "/bin/sh|-c|ls -la /tmp && echo done",
        "app|https://api.example.com/v1/orders?page=2",
        "app|mode=fast",
        "app|--brokers=auth-server:9092",
        "app|/etc/app/app.conf");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("secrets")
  void eachCommonFormIsMasked(String form, String input, String expected) {
    List<String> out = Redactor.argv(input.split("\\|"));
    assertEquals(Arrays.asList(expected.replace("⊗", M).split("\\|")), out, form);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("harmless")
  void ordinaryArgvIsUntouched(String input) {
    assertEquals(Arrays.asList(input.split("\\|")), Redactor.argv(input.split("\\|")));
  }

  @Test
  void noSecretSurvivesAnywhereInTheTable() {
    List<String> secrets =
        List.of(
            "hunter",
            "c5-9xq",
            "open sesame",
            "tok-",
            "changeit",
            "s3cret",
            "xyz987",
            "S3cr3t",
            "r3dis",
            "m0ngo",
            "zipPw",
            "k-123",
            "ghp_abc",
            "abc123",
            "session=abc",
            "pa55",
            "pw1",
            "access_token=abc",
            "ss-X",
            "bob:pw",
            "AKIA",
            "eyJ",
            "p\\\"w");
    List<String> all = new ArrayList<>();
    secrets().forEach(a -> all.addAll(Redactor.argv(((String) a.get()[1]).split("\\|"))));
    for (String s : secrets) {
      assertTrue(all.stream().noneMatch(w -> w.contains(s)), s + " leaked in " + all);
    }
  }

  @Test
  void theShapeIsKeptAndNullsSurvive() {
    List<String> out = Redactor.argv(new String[] {"/bin/echo", null, "--password", "x"});
    assertEquals(List.of("/bin/echo", "", "--password", M), out);
    assertFalse(Redactor.text("https://api.example.com/x").contains(M));
  }

  @Test
  void hostileArgvCostsLittle() {
    // Each element at the cap, shaped against one pattern: boundaries everywhere, runs without the
    // awaited delimiter, escapes.
    int n = Redactor.MAX_TEXT;
    String[] hostile = {
      "a-".repeat(n / 2),
      "eyJ-".repeat(n / 4),
      "a".repeat(n - 2) + " =",
      "x://a:".repeat(n / 6),
      "-" + "a-".repeat(n / 2),
      "{\"password\":\"" + "\\\"".repeat(n / 2),
      "Authorization: " + "x".repeat(n),
      "a:".repeat(n / 2),
      "@".repeat(n)
    };
    String[] argv = new String[3 + hostile.length * 10];
    argv[0] = "sh";
    argv[1] = "-c";
    argv[2] = String.join(" ", hostile).substring(0, n);
    for (int i = 3; i < argv.length; i++) {
      argv[i] = hostile[i % hostile.length];
    }
    long t0 = System.nanoTime();
    List<String> out = Redactor.argv(argv);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertEquals(argv.length, out.size());
    assertTrue(
        ms < 2_000, argv.length + " hostile elements of " + n + " characters took " + ms + " ms");
    String nested = "sh -c '".repeat(600) + "mysql -pX";
    assertTrue(
        Redactor.argv(new String[] {"sh", "-c", nested}).size() == 3,
        "deep nesting stays shallow on the stack");
    String longer = "x".repeat(100_000) + " password=hunter2";
    assertEquals(
        n + 1,
        Redactor.text(longer).length(),
        "cut at the cap, the rest dropped, never sent unredacted");
  }
}

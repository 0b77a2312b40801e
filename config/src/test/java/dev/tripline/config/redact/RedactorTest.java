package dev.tripline.config.redact;

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
        row("JWT", "app|eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.c2lnbmF0dXJlLXZhbHVl", "app|⊗"),
        // issue 21: each leak found in round two
        row("https://host?token=X", "curl|https://h?token=qT1", "curl|https://h?token=⊗"),
        row(
            "https://host:8443?api_key=X",
            "curl|https://h:8443?api_key=qK2&page=2",
            "curl|https://h:8443?api_key=⊗&page=2"),
        row(
            "URL password with /",
            "git|clone|https://bob:pa/ss1@host/r.git",
            "git|clone|https://bob:⊗@host/r.git"),
        row("URL password with ?", "curl|https://bob:pa?ss2@host/x", "curl|https://bob:⊗@host/x"),
        row(
            "redis://:X@h",
            "redis-cli|-u|redis://:r3dp4ss@cache:6379",
            "redis-cli|-u|redis://:⊗@cache:6379"),
        row(
            "a token as the URL's user",
            "git|clone|https://ghp_R2d2C3poBb8Yy7Zz6Xx5Ww4Vv3Uu2Tt1Ss0Q@github.com/o/r.git",
            "git|clone|https://⊗@github.com/o/r.git"),
        row(
            "jdbc:oracle:thin:scott/X@db",
            "java|-Ddb.url=jdbc:oracle:thin:scott/t1ger@db:1521/orcl|-jar|app.jar",
            "java|-Ddb.url=jdbc:oracle:thin:scott/⊗@db:1521/orcl|-jar|app.jar"),
        row(
            "sqlplus scott/X@db",
            "sqlplus|-s|scott/t1gr@db|@q.sql",
            "sqlplus|-s|scott/⊗@db|@q.sql"),
        row(
            "sh -c \"sudo -u db mysql -pX\"",
            "sh|-c|sudo -u db mysql -pmy5ql orders",
            "sh|-c|sudo -u db mysql -p⊗ orders"),
        row(
            "docker exec c mysql -pX",
            "docker|exec|db1|mysql|-pd0ck|orders",
            "docker|exec|db1|mysql|-p⊗|orders"),
        row("password X as one element", "app|password hunt3r", "app|password ⊗"),
        row(
            "--token X as one element",
            "app|--token t0k9 --region eu",
            "app|--token ⊗ --region eu"),
        row(
            "Authorization:X",
            "curl|-H|Authorization:auth0r1z|https://h",
            "curl|-H|Authorization:⊗|https://h"),
        row(
            "AccountKey=",
            "app|DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=azK3y==;EndpointSuffix=core.windows.net",
            "app|DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=⊗;EndpointSuffix=core.windows.net"),
        row(
            "&sig=",
            "curl|https://acct.blob.core.windows.net/c/b?sv=2022-11-02&se=2026&sig=s1gnat",
            "curl|https://acct.blob.core.windows.net/c/b?sv=2022-11-02&se=2026&sig=⊗"),
        row("STRIPE_KEY=", "env|STRIPE_KEY=strk1|app", "env|STRIPE_KEY=⊗|app"),
        row("GITHUB_PAT=", "env|GITHUB_PAT=pat42|app", "env|GITHUB_PAT=⊗|app"),
        row(
            "PEM private key",
            "app|-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7pem\n-----END RSA PRIVATE KEY-----",
            "app|-----BEGIN RSA PRIVATE KEY-----⊗-----END RSA PRIVATE KEY-----"),
        row(
            "PEM private key cut short",
            "sh|-c|echo '-----BEGIN PRIVATE KEY-----\nMIIEvgIBADANcut",
            "sh|-c|echo '-----BEGIN PRIVATE KEY-----⊗"),
        row(
            "openssl enc -k X",
            "openssl|enc|-aes-256-cbc|-k|0pens5l|-in|f",
            "openssl|enc|-aes-256-cbc|-k|⊗|-in|f"),
        row(
            "openssl -pass pass:X",
            "openssl|pkcs12|-in|a.p12|-passin|pass:p12pw",
            "openssl|pkcs12|-in|a.p12|-passin|⊗"),
        row("curl -b session=X", "curl|-b|session=c00k|https://h", "curl|-b|⊗|https://h"),
        row(
            "aws configure set aws_secret_access_key X",
            "aws|configure|set|aws_secret_access_key|awsS3c",
            "aws|configure|set|aws_secret_access_key|⊗"),
        row(
            "htpasswd -b … admin X",
            "htpasswd|-b|-c|/etc/nginx/.htpasswd|admin|htp4ss",
            "htpasswd|-b|-c|/etc/nginx/.htpasswd|admin|⊗"),
        row(
            "htpasswd in sh -c",
            "sh|-c|htpasswd -nb admin 'htp 4ss' > f",
            "sh|-c|htpasswd -nb admin '⊗' > f"),
        // by shape, whatever names them
        row("AWS secret key", "app|wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "app|⊗"),
        row("AWS session key id", "app|--id=ASIAY34FZKBOKMUTVV7A", "app|--id=⊗"),
        row("GitHub ghp_", "app|ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "app|⊗"),
        row("GitHub gho_", "app|gho_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "app|⊗"),
        row("GitHub github_pat_", "app|x=github_pat_11aaaaaaaaaaaaaaaaaaaa_bbbbbbbbbb", "app|x=⊗"),
        row("Slack xoxb-", "app|xoxb-1234567890-abcdefghijkl", "app|⊗"),
        row("Stripe sk_live_", "app|sk_live_abcdefghijklmnop", "app|⊗"),
        row("Google AIza", "app|key2 AIzaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "app|key2 ⊗"),
        row(
            "random token in a header of any name",
            "curl|-H|X-Custom: Zq8fK2mP9xR4tL7wB3nV6yH1",
            "curl|-H|X-Custom: ⊗"),
        row(
            "Azure SharedAccessSignature",
            "app|Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=sbK3y=",
            "app|Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=⊗;SharedAccessKey=⊗"));
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
        "app|/etc/app/app.conf",
        "git|checkout|3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39",
        "app|--request-id=123e4567-e89b-12d3-a456-426614174000",
        "java|-cp|app.jar|dev.tripline.AbstractSingletonProxyFactoryBean2",
        "docker|pull|nginx@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31",
        "ssh|git@github.com",
        "ssh|deploy-bot@10.0.0.1",
        "curl|https://h:8080/@me",
        "curl|https://api.example.com/users/@me?page=2",
        "gh|auth|status",
        "git|log|--author=Bob",
        "curl|-b|cookies.txt|https://h",
        "sudo|-u|db|psql|-p|5432",
        "java|-Dsun.java.command=Main|-XX:MaxRAMPercentage=75.0|-Djava.io.tmpdir=/tmp/App2Data/Run3Dir",
        "/usr/lib/jvm/java-17-openjdk-amd64/bin/java|-version");
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
            "p\\\"w",
            "qT1",
            "qK2",
            "pa/ss1",
            "pa?ss2",
            "r3dp4ss",
            "R2d2C3po",
            "t1ger",
            "t1gr",
            "my5ql",
            "d0ck",
            "hunt3r",
            "t0k9",
            "auth0r1z",
            "azK3y",
            "s1gnat",
            "strk1",
            "pat42",
            "MIIE",
            "0pens5l",
            "p12pw",
            "c00k",
            "awsS3c",
            "htp4ss",
            "htp 4ss",
            "wJalr",
            "ASIAY",
            "ghp_",
            "gho_",
            "github_pat",
            "xoxb",
            "sk_live",
            "AIza",
            "Zq8fK",
            "sbK3y");
    List<String> all = new ArrayList<>();
    secrets().forEach(a -> all.addAll(Redactor.argv(((String) a.get()[1]).split("\\|"))));
    for (String s : secrets) {
      assertTrue(all.stream().noneMatch(w -> w.contains(s)), s + " leaked in " + all);
    }
  }

  /** The collector redacts what the agent sent: a second pass must change nothing. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("secrets")
  void redactingTwiceChangesNothing(String form, String input, String expected) {
    List<String> once = Redactor.argv(input.split("\\|"));
    assertEquals(once, Redactor.argv(once), form);
  }

  @Test
  void environmentEntriesKeepTheirNamesAndLoseTheirSecrets() {
    List<String> out =
        Redactor.environment(
            List.of(
                "LD_PRELOAD=/tmp/evil.so",
                "JAVA_TOOL_OPTIONS=-Xmx1g -Ddb.password=hunter2",
                "API_TOKEN=c5-9xq",
                "NODE_OPTIONS=--require /tmp/x.js"));
    assertEquals("LD_PRELOAD=/tmp/evil.so", out.get(0));
    assertTrue(out.get(1).startsWith("JAVA_TOOL_OPTIONS=-Xmx1g "), out.get(1));
    assertFalse(out.get(1).contains("hunter2"), out.get(1));
    assertEquals("API_TOKEN=" + Redactor.MASK, out.get(2));
    assertEquals("NODE_OPTIONS=--require /tmp/x.js", out.get(3));
  }

  @Test
  void aMegabyteOfHostileUrlOrArgvCostsLittle() {
    int mb = 1 << 20;
    String[] hostile = {
      "https://" + "a:".repeat(mb / 2),
      "https://u:" + "/@".repeat(mb / 2),
      "x://".repeat(mb / 4),
      "jdbc:" + "a:/".repeat(mb / 3) + "@",
      "-----BEGIN ".repeat(mb / 11),
      "-----BEGIN PRIVATE KEY-----" + "-----END".repeat(mb / 8),
      "Ab1".repeat(mb / 3),
      "ghp_".repeat(mb / 4),
      "a=".repeat(mb / 2),
      "password ".repeat(mb / 9),
      "--token ".repeat(mb / 8),
    };
    for (String h : hostile) {
      long t0 = System.nanoTime();
      Redactor.argv(new String[] {"sh", "-c", h});
      List<String> out = Redactor.argv(new String[] {"curl", h, h});
      long ms = (System.nanoTime() - t0) / 1_000_000;
      // cut at the cap before redaction; masks may lengthen short values, within bounds
      assertTrue(out.get(1).length() <= 4 * Redactor.MAX_TEXT, "cut at the cap");
      assertTrue(ms < 2_000, h.substring(0, 16) + "… took " + ms + " ms");
    }
    String[] many = new String[100_000];
    Arrays.fill(many, "--password");
    long t0 = System.nanoTime();
    assertEquals(many.length, Redactor.argv(many).size());
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(ms < 5_000, "100 000 flags took " + ms + " ms");
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

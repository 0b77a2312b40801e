package dev.tripline.agent.it;

import dev.tripline.kafka.Patience;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away CA, a broker certificate and a client certificate, made with the JDK's keytool:
 * PKCS12 stores and a password file, for TLS and mTLS tests against the real broker.
 */
final class TestCertificates {
  final Path dir;
  final Path truststore;
  final Path brokerKeystore;
  final Path clientKeystore;
  final Path passwordFile;
  final String password;

  private TestCertificates(Path dir, String password) {
    this.dir = dir;
    this.password = password;
    this.truststore = dir.resolve("truststore.p12");
    this.brokerKeystore = dir.resolve("broker.p12");
    this.clientKeystore = dir.resolve("client.p12");
    this.passwordFile = dir.resolve("store.password");
  }

  static TestCertificates create(Path dir) throws Exception {
    Files.createDirectories(dir);
    TestCertificates c = new TestCertificates(dir, "pw-" + Long.toHexString(System.nanoTime()));
    Files.writeString(c.passwordFile, c.password);
    Path ca = dir.resolve("ca.p12");
    Path caPem = dir.resolve("ca.pem");
    c.keytool(
        "-genkeypair",
        "-alias",
        "ca",
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-dname",
        "CN=tripline-test-ca",
        "-ext",
        "bc:c",
        "-validity",
        "2",
        "-keystore",
        ca.toString());
    c.keytool(
        "-exportcert",
        "-alias",
        "ca",
        "-rfc",
        "-file",
        caPem.toString(),
        "-keystore",
        ca.toString());
    c.keytool(
        "-importcert",
        "-noprompt",
        "-alias",
        "ca",
        "-file",
        caPem.toString(),
        "-keystore",
        c.truststore.toString());
    c.signed(
        ca, caPem, c.brokerKeystore, "broker", "CN=localhost", "SAN=ip:127.0.0.1,dns:localhost");
    c.signed(ca, caPem, c.clientKeystore, "client", "CN=tripline-agent", null);
    return c;
  }

  private void signed(Path ca, Path caPem, Path keystore, String alias, String dname, String san)
      throws Exception {
    Path csr = dir.resolve(alias + ".csr");
    Path pem = dir.resolve(alias + ".pem");
    keytool(
        "-genkeypair",
        "-alias",
        alias,
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-dname",
        dname,
        "-validity",
        "2",
        "-keystore",
        keystore.toString());
    keytool("-certreq", "-alias", alias, "-file", csr.toString(), "-keystore", keystore.toString());
    List<String> gencert =
        new ArrayList<>(
            List.of(
                "-gencert",
                "-alias",
                "ca",
                "-infile",
                csr.toString(),
                "-outfile",
                pem.toString(),
                "-rfc",
                "-validity",
                "2",
                "-keystore",
                ca.toString()));
    if (san != null) {
      gencert.addAll(List.of("-ext", san));
    }
    keytool(gencert.toArray(new String[0]));
    keytool(
        "-importcert",
        "-noprompt",
        "-alias",
        "ca",
        "-file",
        caPem.toString(),
        "-keystore",
        keystore.toString());
    keytool(
        "-importcert", "-alias", alias, "-file", pem.toString(), "-keystore", keystore.toString());
  }

  private void keytool(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("-storetype", "PKCS12", "-storepass", password));
    if (List.of(args).contains("-genkeypair")) {
      cmd.addAll(List.of("-keypass", password));
    }
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(Patience.FORKED_RUN.toSeconds(), TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("keytool " + String.join(" ", args) + " failed: " + out);
    }
  }
}

package dev.tripline.testapp;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Hashtable;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.xml.parsers.DocumentBuilderFactory;
import org.xml.sax.InputSource;

/**
 * I/O done on an attacker's behalf, by the JDK's own machinery: a JNDI lookup reaching out, a
 * deserialized object writing a file, an XML external entity reading one. And the same kind of I/O
 * done plainly, for contrast. Usage: ContextApp <work dir>
 */
public final class ContextApp {
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Files.createDirectories(dir);
    jndiLookup();
    deserialize(dir.resolve("gadget.out").toString());
    xxe();
    plainWrite(dir.resolve("plain.out"));
    System.out.println("CONTEXTAPP DONE");
  }

  /**
   * {@code ldap://127.0.0.1:<port>/x} against a server that accepts and hangs up: the connect is
   * what counts.
   */
  @SuppressWarnings(
      "BanJNDI") // deliberate: the agent must see the LDAP connect a JNDI injection makes
  static void jndiLookup() throws IOException {
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread acceptor =
          new Thread(
              () -> {
                try (Socket s = server.accept()) {
                  // hang up at once
                } catch (IOException e) {
                  // closed
                }
              },
              "ldap-acceptor");
      acceptor.setDaemon(true);
      acceptor.start();
      Hashtable<String, String> env = new Hashtable<>();
      env.put("com.sun.jndi.ldap.connect.timeout", "5000");
      env.put("com.sun.jndi.ldap.read.timeout", "5000");
      System.out.println("jndi port " + server.getLocalPort());
      try {
        new InitialContext(env).lookup("ldap://127.0.0.1:" + server.getLocalPort() + "/x");
      } catch (NamingException expected) {
        System.out.println("lookup failed as expected: " + expected.getClass().getSimpleName());
      }
    }
  }

  /** A class whose readObject writes a file: the shape of a deserialization gadget. */
  static final class Gadget implements Serializable {
    private static final long serialVersionUID = 1L;
    final String path;

    Gadget(String path) {
      this.path = path;
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
      in.defaultReadObject();
      try (FileOutputStream out = new FileOutputStream(path)) {
        out.write(1);
      }
    }
  }

  static void deserialize(String path) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(new Gadget(path));
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      in.readObject();
    }
  }

  /** An external entity naming a local file, parsed by the JDK's default DocumentBuilder. */
  static void xxe() throws Exception {
    String xml =
        "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/hostname\">]><r>&x;</r>";
    String text =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(new InputSource(new StringReader(xml)))
            .getDocumentElement()
            .getTextContent();
    System.out.println("entity expanded: " + !text.isEmpty());
  }

  static void plainWrite(Path file) throws IOException {
    Files.writeString(file, "plain");
  }
}

package dev.tripline.testapp;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.StringReader;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.xml.sax.InputSource;
import org.yaml.snakeyaml.constructor.TriplineProbeConstructor;

/**
 * The context frame count at work for spawns (issue 23), on one thread, in block: plain spawns are
 * not walked ({@code SPAWN walks=<n>}); a spawn from a deserialized object's {@code readObject} is
 * refused ({@code DESER <outcome>}) and plain spawns after it are not walked again; the same for a
 * spawn from an XML entity resolver inside the JDK's parser ({@code XXE}); then a library
 * deserializer's class (not woven: {@link TriplineProbeConstructor}) is loaded and spawns: refused
 * ({@code LIBRARY}), and from then on every spawn is walked ({@code AFTER-LIBRARY walks=<n>}).
 * Walks are read from the agent's MBean ({@code protection.context_walks}).
 */
public final class SpawnCountApp {
  private static final int PLAIN = 20;

  public static void main(String[] args) throws Exception {
    System.out.println("PROTECTION " + AgentReady.awaitProtection());
    plain(); // the command line's verdict judged and cached once
    System.out.println("SPAWN walks=" + walksOver());
    System.out.println("DESER " + deserialization());
    System.out.println("AFTER-DESER walks=" + walksOver());
    System.out.println("XXE " + entity());
    System.out.println("AFTER-XXE walks=" + walksOver());
    System.out.println("LIBRARY " + library());
    System.out.println("AFTER-LIBRARY walks=" + walksOver());
    System.out.println("DONE");
  }

  /** A gadget: its deserialization spawns a process. */
  static final class Gadget implements Serializable {
    private static final long serialVersionUID = 1L;

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
      in.defaultReadObject();
      spawn();
    }
  }

  private static String deserialization() {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
        out.writeObject(new Gadget());
      }
      try (ObjectInputStream in =
          new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
        in.readObject();
      }
      return "reached";
    } catch (Exception e) {
      return outcome(e);
    }
  }

  private static String entity() {
    try {
      DocumentBuilder db = DocumentBuilderFactory.newInstance().newDocumentBuilder();
      db.setEntityResolver(
          (publicId, systemId) -> {
            spawn(); // an external entity's resolution runs a command
            return new InputSource(new StringReader(""));
          });
      String doc = "<!DOCTYPE x [<!ENTITY e SYSTEM \"http://127.0.0.1:9/e\">]><x>&e;</x>";
      db.parse(new InputSource(new StringReader(doc)));
      return "reached";
    } catch (Exception e) {
      return outcome(e);
    }
  }

  private static String library() {
    try {
      TriplineProbeConstructor.construct("/bin/true").waitFor();
      return "reached";
    } catch (Exception e) {
      return outcome(e);
    }
  }

  /** The walks the agent made over {@link #PLAIN} plain spawns. */
  private static long walksOver() {
    long before = AgentReady.read("protection.context_walks");
    for (int i = 0; i < PLAIN; i++) {
      plain();
    }
    return AgentReady.read("protection.context_walks") - before;
  }

  private static void plain() {
    try {
      spawn();
    } catch (IOException e) {
      System.out.println("PLAIN failed " + e);
    }
  }

  private static void spawn() throws IOException {
    try {
      new ProcessBuilder("/bin/true").start().waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String outcome(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (String.valueOf(t.getMessage()).contains("Tripline")) {
        return "refused " + t.getClass().getName() + ": " + t.getMessage();
      }
    }
    return "reached " + e;
  }
}

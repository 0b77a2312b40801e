package dev.tripline.agent.protect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tripline.agent.config.AgentConfig;
import dev.tripline.agent.health.AgentStats;
import dev.tripline.agent.record.EventRecorder;
import dev.tripline.model.EventKind;
import dev.tripline.model.ProtectionMode;
import dev.tripline.model.protect.ProtectionJudge;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Hashtable;
import java.util.Map;
import java.util.Properties;
import javax.naming.Context;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.naming.spi.InitialContextFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verdict cache against its attacker: a target first reached by benign code (cached as allowed)
 * and then reached again under a JNDI lookup or a deserialization — real frames of the JDK's {@code
 * InitialContext.lookup} and {@code ObjectInputStream.readObject} on the stack, the real shared
 * judge of a policy — is refused in block and would-be-blocked in dry-run; benign calls to it stay
 * allowed around it.
 */
class VerdictCacheTest {
  @TempDir Path home;

  private final AgentStats stats = new AgentStats();
  private final EventRecorder recorder = new EventRecorder(config(), stats, () -> 42L);

  /** What the code under the attack's frame does: the decision a guarded hook asks for. */
  static volatile Runnable underFrame = () -> {};

  private static AgentConfig config() {
    Properties p = new Properties();
    p.setProperty("tripline.service.name", "shop");
    p.setProperty("tripline.sink", "none");
    return AgentConfig.load(p, Map.of());
  }

  private ProtectionState state(ProtectionMode mode) {
    return PoliciesInForce.inForce(mode);
  }

  @Test
  void aPeerFirstConnectedBenignlyIsRefusedUnderAJndiLookup() throws Exception {
    ProtectionState s = state(ProtectionMode.BLOCK);
    EntryDecisions d = new EntryDecisions(s, recorder.candidates(), () -> false);
    InetAddress peer = InetAddress.getByName("10.1.2.3");
    d.connect(peer, 1389, null); // benign: no JNDI frame, allowed and cached
    d.connect(peer, 1389, null); // the cached verdict
    assertEquals(0, s.blocked());

    RefusedCall refused =
        assertThrows(RefusedCall.class, () -> lookup(() -> d.connect(peer, 1389, null)));
    assertEquals("jndi-lookup-out", refused.rule);
    assertEquals(1, s.blocked());
    // the refusal under JNDI is cached for calls under JNDI; the benign caller is still allowed
    assertThrows(RefusedCall.class, () -> lookup(() -> d.connect(peer, 1389, null)));
    d.connect(peer, 1389, null);
    assertEquals(2, s.blocked());
  }

  @Test
  void inDryRunTheSameConnectIsCountedAsWouldBlock() throws Exception {
    ProtectionState s = state(ProtectionMode.DRY_RUN);
    EntryDecisions d = new EntryDecisions(s, recorder.candidates(), () -> false);
    InetAddress peer = InetAddress.getByName("10.1.2.4");
    d.connect(peer, 8080, null);
    assertEquals(0, s.wouldBlock());
    lookup(() -> d.connect(peer, 8080, null)); // goes ahead in dry-run
    assertEquals(1, s.wouldBlock());
    d.connect(peer, 8080, null);
    assertEquals(1, s.wouldBlock());
  }

  @Test
  void aCredentialsFileFirstReadBenignlyIsRefusedUnderDeserialization() throws Exception {
    Path credentials = Files.createDirectories(home.resolve(".aws")).resolve("credentials");
    Files.writeString(credentials, "[default]\n");
    String path = credentials.toString();
    ProtectionState s = state(ProtectionMode.BLOCK);
    EntryDecisions d = new EntryDecisions(s, recorder.candidates(), () -> false);
    d.file(EventKind.FILE_READ, path, null); // the application's own read: alerted, not refused
    d.file(EventKind.FILE_READ, path, null);
    assertEquals(0, s.blocked());

    RefusedCall refused =
        assertThrows(
            RefusedCall.class, () -> deserialize(() -> d.file(EventKind.FILE_READ, path, null)));
    assertEquals("context-credential-read", refused.rule);
    d.file(EventKind.FILE_READ, path, null);
    assertEquals(1, s.blocked());
  }

  @Test
  void aFileNoRuleReadsTheStackOfIsAllowedUnderAnyFrame() throws Exception {
    Path data = Files.writeString(home.resolve("data.txt"), "x");
    ProtectionState s = state(ProtectionMode.BLOCK);
    EntryDecisions d = new EntryDecisions(s, recorder.candidates(), () -> false);
    d.file(EventKind.FILE_READ, data.toString(), null);
    deserialize(() -> d.file(EventKind.FILE_READ, data.toString(), null));
    assertEquals(0, s.blocked());
  }

  @Test
  void verdictsUnderOtherStacksAreChainedBoundedAndOfOneGeneration() {
    ProtectionJudge.Refusal no = new ProtectionJudge.Refusal("r", true, "why");
    Verdict plain = Verdict.under(0, 1, null, null);
    Verdict jndi = Verdict.under(1L << 3, 1, no, plain);
    assertSame(no, jndi.under(1L << 3).refusal);
    assertNull(jndi.under(0).refusal);
    assertNull(jndi.under(1L << 4), "another stack's categories: judged afresh");
    assertNull(jndi.under(-1L), "unknown categories: judged afresh");
    assertNull(Verdict.under(1, 2, no, jndi).under(0), "an older generation is not kept");
    Verdict chain = plain;
    for (int i = 1; i <= Verdict.MAX_STACKS + 3; i++) {
      chain = Verdict.under(i, 1, null, chain);
    }
    int length = 0;
    for (Verdict v = chain; v != null; v = v.next) {
      length++;
    }
    assertEquals(Verdict.MAX_STACKS, length);
    assertTrue(new Verdict(1, null).anyStack());
    assertTrue(!Verdict.thisCall(1, null).cacheable());
  }

  /**
   * Runs {@code call} inside the JDK's {@code InitialContext.lookup} (a real JNDI frame), served by
   * the test's own provider: nothing is deserialized.
   */
  @SuppressWarnings("BanJNDI") // the frame is the point; the provider is the test's proxy
  static void lookup(Runnable call) throws NamingException {
    underFrame = call;
    Hashtable<String, Object> env = new Hashtable<>();
    env.put(Context.INITIAL_CONTEXT_FACTORY, CallingFactory.class.getName());
    try {
      new InitialContext(env).lookup("anything");
    } finally {
      underFrame = () -> {};
    }
  }

  /** Runs {@code call} inside the JDK's {@code ObjectInputStream.readObject} (a gadget's frame). */
  private static void deserialize(Runnable call) throws IOException, ClassNotFoundException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(new Gadget());
    }
    underFrame = call;
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      in.readObject();
    } finally {
      underFrame = () -> {};
    }
  }

  /** A serializable class whose readObject does what the test asks (a gadget chain's I/O). */
  static final class Gadget implements Serializable {
    private static final long serialVersionUID = 1L;

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
      in.defaultReadObject();
      underFrame.run();
    }
  }

  /** A JNDI provider whose lookup does what the test asks (a lookup reaching out). */
  public static final class CallingFactory implements InitialContextFactory {
    @Override
    public Context getInitialContext(Hashtable<?, ?> environment) {
      return (Context)
          java.lang.reflect.Proxy.newProxyInstance(
              VerdictCacheTest.class.getClassLoader(),
              new Class<?>[] {Context.class},
              (proxy, method, args) -> {
                if (method.getName().equals("lookup")) {
                  underFrame.run();
                }
                return null;
              });
    }
  }
}

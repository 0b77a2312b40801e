package dev.tripline.agent.callsite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The frames the JNDI frame count covers (issue 23) are exactly those the table puts in the jndi
 * and jndi-lookup categories: the same first-match rule, narrow entries before the catch-alls.
 */
class CountedFramesTest {
  @Test
  void theCountedFramesAreTheJndiCategoriesOfTheTable() {
    assertTrue(ContextFrames.counted("javax.naming.InitialContext", "lookup"));
    assertTrue(ContextFrames.counted("javax.naming.InitialContext", "lookupLink"));
    assertFalse(ContextFrames.counted("javax.naming.InitialContext", "bind"));
    assertFalse(ContextFrames.counted("javax.naming.InitialContext", "<init>"));
    assertTrue(ContextFrames.counted("javax.naming.spi.NamingManager", "getObjectInstance"));
    assertFalse(ContextFrames.counted("javax.naming.spi.NamingManager", "getInitialContext"));
    assertTrue(ContextFrames.counted("com.sun.jndi.url.ldap.ldapURLContext", "lookup"));
    assertTrue(ContextFrames.counted("com.sun.jndi.url.ldap.ldapURLContext", "<init>"));
    assertTrue(ContextFrames.counted("com.sun.jndi.toolkit.url.GenericURLContext", "lookup"));
    assertTrue(ContextFrames.counted("com.sun.jndi.rmi.registry.RegistryContext", "lookup"));
    assertTrue(ContextFrames.counted("com.sun.jndi.dns.DnsClient", "query"));
    assertTrue(ContextFrames.counted("com.sun.jndi.ldap.Obj", "decodeObject"));
    assertFalse(
        ContextFrames.counted("com.sun.jndi.ldap.LdapCtx", "c_lookup"), "directory, not counted");
    // a configured LDAP context's search runs in the toolkit LdapCtx inherits from: directory too
    assertFalse(
        ContextFrames.counted("com.sun.jndi.toolkit.ctx.PartialCompositeDirContext", "search"));
    assertFalse(ContextFrames.counted("com.sun.jndi.toolkit.ctx.ComponentDirContext", "p_search"));
    assertTrue(ContextFrames.counted("com.sun.jndi.dns.DnsContext", "c_getAttributes"));
    assertTrue(ContextFrames.counted("org.apache.logging.log4j.core.net.JndiManager", "lookup"));
    assertTrue(ContextFrames.counted("org.apache.logging.log4j.core.lookup.JndiLookup", "lookup"));
    assertFalse(ContextFrames.counted("java.io.ObjectInputStream", "readObject"));
    assertFalse(ContextFrames.counted("com.acme.Service", "lookup"));

    assertTrue(ContextFrames.mayCount("javax.naming.InitialContext"));
    assertTrue(ContextFrames.mayCount("com.sun.jndi.ldap.Obj"));
    assertFalse(ContextFrames.mayCount("javax.naming.directory.InitialDirContext"));
    assertFalse(ContextFrames.mayCount("java.lang.String"));
  }

  @Test
  void userFramesInACountedCategoryMakeTheCountUseless() {
    assertEquals(List.of(), new ContextFrames("custom=com.acme.").extendsCounted());
    assertEquals(
        List.of("com.acme.Naming#find"),
        new ContextFrames("custom=com.acme., jndi=com.acme.Naming#find").extendsCounted());
    assertEquals(List.of("com.acme."), new ContextFrames("jndi-lookup=com.acme.").extendsCounted());
    ContextFrames table = new ContextFrames("");
    long mask = table.countedMask();
    assertEquals(2, Long.bitCount(mask), "jndi and jndi-lookup");
  }
}

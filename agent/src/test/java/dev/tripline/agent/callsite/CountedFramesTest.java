package dev.tripline.agent.callsite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The frames the context frame count covers (issue 23) are exactly those the table puts in the
 * counted categories (JNDI, deserialization, script/EL, XML entity): the same first-match rule,
 * narrow entries before the catch-alls.
 */
class CountedFramesTest {
  @Test
  void theCountedFramesAreTheCountedCategoriesOfTheTable() {
    assertCounted("javax.naming.InitialContext", "lookup");
    assertCounted("javax.naming.InitialContext", "lookupLink");
    assertNotCounted("javax.naming.InitialContext", "bind");
    assertNotCounted("javax.naming.InitialContext", "<init>");
    assertCounted("javax.naming.spi.NamingManager", "getObjectInstance");
    assertNotCounted("javax.naming.spi.NamingManager", "getInitialContext");
    assertCounted("com.sun.jndi.url.ldap.ldapURLContext", "lookup");
    assertCounted("com.sun.jndi.url.ldap.ldapURLContext", "<init>");
    assertCounted("com.sun.jndi.toolkit.url.GenericURLContext", "lookup");
    assertCounted("com.sun.jndi.rmi.registry.RegistryContext", "lookup");
    assertCounted("com.sun.jndi.dns.DnsClient", "query");
    assertCounted("com.sun.jndi.ldap.Obj", "decodeObject");
    assertNotCounted("com.sun.jndi.ldap.LdapCtx", "c_lookup");
    // a configured LDAP context's search runs in the toolkit LdapCtx inherits from: directory too
    assertNotCounted("com.sun.jndi.toolkit.ctx.PartialCompositeDirContext", "search");
    assertNotCounted("com.sun.jndi.toolkit.ctx.ComponentDirContext", "p_search");
    assertCounted("com.sun.jndi.dns.DnsContext", "c_getAttributes");
    assertCounted("org.apache.logging.log4j.core.net.JndiManager", "lookup");
    assertCounted("org.apache.logging.log4j.core.lookup.JndiLookup", "lookup");
    assertCounted("java.io.ObjectInputStream", "readObject");
    assertCounted("java.io.ObjectInputStream", "readObject0");
    assertNotCounted("java.io.ObjectInputStream", "readInt");
    assertCounted("com.fasterxml.jackson.databind.deser.BeanDeserializer", "deserialize");
    assertCounted("org.springframework.expression.spel.ast.MethodReference", "getValue");
    assertCounted("javax.script.ScriptEngineManager", "getEngineByName");
    assertCounted(
        "com.sun.org.apache.xerces.internal.impl.XMLEntityManager", "resolveEntityAsPerStax");
    assertNotCounted("java.lang.reflect.Method", "invoke");
    assertNotCounted("com.acme.Service", "lookup");

    assertEquals(Set.of("jndi-lookup"), ContextFrames.mayCount("javax.naming.InitialContext"));
    assertEquals(Set.of("jndi"), ContextFrames.mayCount("com.sun.jndi.ldap.Obj"));
    assertEquals(Set.of(), ContextFrames.mayCount("javax.naming.directory.InitialDirContext"));
    assertEquals(Set.of(), ContextFrames.mayCount("java.lang.String"));
    assertEquals(Set.of("deserialization"), ContextFrames.mayCount("java.io.ObjectInputStream"));
  }

  private static void assertCounted(String className, String method) {
    assertTrue(
        ContextFrames.COUNTED.contains(ContextFrames.counted(className, method)),
        className + "#" + method);
  }

  private static void assertNotCounted(String className, String method) {
    assertNull(ContextFrames.counted(className, method), className + "#" + method);
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
    assertEquals(ContextFrames.COUNTED.size(), Long.bitCount(mask), "one bit per counted category");
    assertEquals(List.of("org.x."), new ContextFrames("deserialization=org.x.").extendsCounted());
  }
}

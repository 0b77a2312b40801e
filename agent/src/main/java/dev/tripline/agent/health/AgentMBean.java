package dev.tripline.agent.health;

import io.micrometer.core.instrument.Meter;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * The agent's meters as the read-only MBean {@code dev.tripline:type=Agent}: one attribute per
 * meter ({@code events.seen}, {@code events.dropped.queue_full}, …), so a JMX exporter or {@code
 * jcmd}/JConsole sees the agent's health next to the application's.
 */
public final class AgentMBean implements DynamicMBean {
  public static final String NAME = "dev.tripline:type=Agent";

  private final AgentMeters meters;

  private AgentMBean(AgentMeters meters) {
    this.meters = meters;
  }

  /**
   * Registers the MBean on the platform server. Called from the pipeline thread, never from
   * premain: touching JMX that early can hang applications that install their own log manager.
   */
  public static void register(AgentMeters meters) throws Exception {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    ObjectName name = new ObjectName(NAME);
    if (!server.isRegistered(name)) {
      server.registerMBean(new AgentMBean(meters), name);
    }
  }

  static String attributeName(Meter meter) {
    String name = meter.getId().getName().substring(AgentMeters.PREFIX.length());
    String reason = meter.getId().getTag("reason");
    return reason == null ? name : name + "." + reason;
  }

  @Override
  public Object getAttribute(String attribute) throws AttributeNotFoundException {
    for (Meter m : meters.registry().getMeters()) {
      if (attributeName(m).equals(attribute)) {
        return (long) AgentMeters.value(m);
      }
    }
    throw new AttributeNotFoundException(attribute);
  }

  @Override
  public AttributeList getAttributes(String[] attributes) {
    AttributeList list = new AttributeList();
    for (String a : attributes) {
      try {
        list.add(new Attribute(a, getAttribute(a)));
      } catch (AttributeNotFoundException e) {
        // JMX semantics: unknown attributes are left out of the list
      }
    }
    return list;
  }

  @Override
  public void setAttribute(Attribute attribute) {
    throw new UnsupportedOperationException("read-only");
  }

  @Override
  public AttributeList setAttributes(AttributeList attributes) {
    return new AttributeList();
  }

  @Override
  public Object invoke(String actionName, Object[] params, String[] signature) {
    throw new UnsupportedOperationException("no operations");
  }

  @Override
  public MBeanInfo getMBeanInfo() {
    List<MBeanAttributeInfo> attrs = new ArrayList<>();
    for (Meter m : meters.registry().getMeters()) {
      String description = m.getId().getDescription();
      attrs.add(
          new MBeanAttributeInfo(
              attributeName(m),
              "long",
              description == null ? "" : description,
              true,
              false,
              false));
    }
    return new MBeanInfo(
        getClass().getName(),
        "Tripline agent health",
        attrs.toArray(new MBeanAttributeInfo[0]),
        null,
        null,
        null);
  }
}

package dev.tripline.collector.pipeline;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import dev.tripline.model.EventBatch;
import java.util.List;

/**
 * Caps every string (paths, argv, hosts, identity, health) and every list in an incoming batch
 * before it reaches a store or an alert: a string longer than {@code string.max.chars} keeps its
 * start and a marker saying how much was cut; a list keeps its first {@link #MAX_LIST} elements,
 * and a list of strings (argv) at most {@link #MAX_ARGV}: its head and its tail (where a command's
 * payload is) around a marker {@code …[+N args]…}, as the agent cuts it (docs/detection.md) — never
 * silently shortened. The agent caps too, but any producer can write to the events topic. Events
 * small enough to hold no long string (nearly all of them) are passed through untouched, so the
 * common path costs one size check (for a batch fresh from the wire, one loop over its bytes:
 * {@link #applyParsed}).
 */
final class StringCaps {
  static final int MAX_LIST = 128;

  /** Strings kept of one list: the agent's own argv bound (191 first, marker, 64 last). */
  static final int MAX_ARGV = 256;

  private final int maxChars;
  private final Meters meters;

  StringCaps(int maxChars, Meters meters) {
    this.maxChars = maxChars;
    this.meters = meters;
  }

  /**
   * {@link #apply(EventBatch)} for a batch just parsed from {@code wire} and not changed since (the
   * sanitizer returned it as it was): its events are judged by their length on the wire, read in
   * one loop over the bytes, instead of computing every event's serialised size (a walk of all its
   * strings, a tenth of the edge's work per batch). Re-serialising a parsed event never makes it
   * longer than it was on the wire as long as its schema has no map and no packed list ({@link
   * #EVENTS_SHRINK_ONLY}, checked at load; a map entry or a lone unpacked element can grow), and
   * only events of at most half the cap take this path, so an event this passes holds no string or
   * serialised message over the cap. Any other event, the agent and the health are checked as
   * before.
   */
  EventBatch applyParsed(EventBatch batch, byte[] wire) {
    if (EVENTS_SHRINK_ONLY
        && batch.getAgent().getSerializedSize() <= maxChars
        && batch.getHealth().getSerializedSize() <= maxChars
        && InputLimits.eventsWithin(wire, maxChars / 2)) {
      return batch;
    }
    return apply(batch);
  }

  /**
   * Whether {@code Event}, and every message inside it, has neither a map nor a packable repeated
   * scalar: the two encodings that a parsed message can re-serialise longer than it was sent.
   */
  static final boolean EVENTS_SHRINK_ONLY =
      shrinkOnly(dev.tripline.model.Event.getDescriptor(), new java.util.HashSet<>());

  private static boolean shrinkOnly(
      com.google.protobuf.Descriptors.Descriptor type,
      java.util.Set<com.google.protobuf.Descriptors.Descriptor> seen) {
    if (!seen.add(type)) {
      return true;
    }
    for (FieldDescriptor f : type.getFields()) {
      if (f.isMapField() || (f.isRepeated() && f.isPackable())) {
        return false;
      }
      if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE
          && !shrinkOnly(f.getMessageType(), seen)) {
        return false;
      }
    }
    return true;
  }

  EventBatch apply(EventBatch batch) {
    // UTF-8 needs at least one byte per char: a batch this small cannot hold a long string or list.
    if (batch.getSerializedSize() <= maxChars || !anyLarge(batch)) {
      return batch;
    }
    EventBatch.Builder b = batch.toBuilder();
    if (batch.getAgent().getSerializedSize() > maxChars) {
      b.setAgent((dev.tripline.model.AgentIdentity) cap(batch.getAgent()));
    }
    if (batch.getHealth().getSerializedSize() > maxChars) {
      b.setHealth((dev.tripline.model.AgentHealth) cap(batch.getHealth()));
    }
    for (int i = 0; i < b.getEventsCount(); i++) {
      if (b.getEvents(i).getSerializedSize() > maxChars) {
        b.setEvents(i, (dev.tripline.model.Event) cap(b.getEvents(i)));
      }
    }
    return b.build();
  }

  private boolean anyLarge(EventBatch batch) {
    if (batch.getAgent().getSerializedSize() > maxChars
        || batch.getHealth().getSerializedSize() > maxChars) {
      return true;
    }
    for (int i = 0; i < batch.getEventsCount(); i++) {
      if (batch.getEvents(i).getSerializedSize() > maxChars) {
        return true;
      }
    }
    return false;
  }

  /** {@code m}, or a capped copy when it is large enough to hold a long string. */
  @SuppressWarnings("unchecked")
  <T extends Message> T apply(T m) {
    return m.getSerializedSize() <= maxChars ? m : (T) cap(m);
  }

  /** A copy of {@code m} with long strings truncated and long lists cut, at any depth. */
  Message cap(Message m) {
    Message.Builder b = m.toBuilder();
    for (var field : m.getAllFields().entrySet()) {
      FieldDescriptor f = field.getKey();
      if (f.isRepeated()) {
        List<?> values = (List<?>) field.getValue();
        b.clearField(f);
        if (f.getJavaType() == FieldDescriptor.JavaType.STRING && values.size() > MAX_ARGV) {
          meters.listCapped();
          int tail = MAX_ARGV / 4;
          int head = MAX_ARGV - tail - 1;
          for (int i = 0; i < head; i++) b.addRepeatedField(f, capValue(f, values.get(i)));
          b.addRepeatedField(f, "…[+" + (values.size() - head - tail) + " args]…");
          for (int i = values.size() - tail; i < values.size(); i++) {
            b.addRepeatedField(f, capValue(f, values.get(i)));
          }
          continue;
        }
        int keep =
            f.getJavaType() == FieldDescriptor.JavaType.STRING
                ? values.size()
                : Math.min(values.size(), MAX_LIST);
        if (keep < values.size()) {
          meters.listCapped();
        }
        for (int i = 0; i < keep; i++) {
          b.addRepeatedField(f, capValue(f, values.get(i)));
        }
      } else {
        b.setField(f, capValue(f, field.getValue()));
      }
    }
    return b.build();
  }

  private Object capValue(FieldDescriptor f, Object value) {
    if (f.getJavaType() == FieldDescriptor.JavaType.STRING) {
      return truncate((String) value);
    }
    if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
      Message m = (Message) value;
      return m.getSerializedSize() > maxChars || hasLongList(m) ? cap(m) : m;
    }
    return value;
  }

  private static boolean hasLongList(Message m) {
    for (var field : m.getAllFields().entrySet()) {
      FieldDescriptor f = field.getKey();
      int max = f.getJavaType() == FieldDescriptor.JavaType.STRING ? MAX_ARGV : MAX_LIST;
      if (f.isRepeated() && ((List<?>) field.getValue()).size() > max) {
        return true;
      }
    }
    return false;
  }

  String truncate(String s) {
    if (s.length() <= maxChars) {
      return s;
    }
    meters.stringTruncated();
    int cut = Character.isHighSurrogate(s.charAt(maxChars - 1)) ? maxChars - 1 : maxChars;
    return s.substring(0, cut) + "…[truncated " + (s.length() - cut) + " chars]";
  }
}

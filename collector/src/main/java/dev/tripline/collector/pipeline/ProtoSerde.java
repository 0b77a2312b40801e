package dev.tripline.collector.pipeline;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.jspecify.annotations.Nullable;

/**
 * A protobuf message in a store or on a topic. A stored value that no longer parses reads as null
 * (absent), as an unreadable profile or alert always has: the service relearns, the alert is raised
 * anew.
 */
final class ProtoSerde<T extends MessageLite> implements Serde<T> {
  /** Writes any message (the sinks take alerts, profiles and actions). */
  static final Serializer<MessageLite> MESSAGES = (topic, m) -> m == null ? null : m.toByteArray();

  private final Parser<T> parser;

  ProtoSerde(Parser<T> parser) {
    this.parser = parser;
  }

  @Override
  public Serializer<T> serializer() {
    return (topic, m) -> m == null ? null : m.toByteArray();
  }

  @Override
  public Deserializer<T> deserializer() {
    return (topic, bytes) -> parse(bytes, parser);
  }

  static <T> @Nullable T parse(byte @Nullable [] bytes, Parser<T> parser) {
    if (bytes == null) {
      return null;
    }
    try {
      return parser.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      return null;
    }
  }
}

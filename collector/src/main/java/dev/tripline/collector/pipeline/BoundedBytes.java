package dev.tripline.collector.pipeline;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serializer of the dead-letter topic: a dead letter is a copy of what could not be processed, and
 * that may be larger than the topic accepts (an input topic configured for bigger records). Longer
 * values are cut, with headers saying so; header values are cut too. Raw bytes lose nothing by
 * being cut that a reader could have parsed.
 */
final class BoundedBytes implements Serializer<byte[]> {
  static final String TRUNCATED_FROM = "tripline.truncated.from";
  private static final int MAX_HEADER = 1024;

  private final int max;

  BoundedBytes(int max) {
    this.max = max;
  }

  @Override
  public byte[] serialize(String topic, byte[] data) {
    return data == null || data.length <= max ? data : Arrays.copyOf(data, max);
  }

  @Override
  public byte[] serialize(String topic, Headers headers, byte[] data) {
    if (headers != null) {
      for (Header h : headers.toArray()) {
        if (h.value() != null && h.value().length > MAX_HEADER) {
          headers.remove(h.key());
          headers.add(h.key(), Arrays.copyOf(h.value(), MAX_HEADER));
        }
      }
      if (data != null && data.length > max) {
        headers.add(TRUNCATED_FROM, Integer.toString(data.length).getBytes(StandardCharsets.UTF_8));
      }
    }
    return serialize(topic, data);
  }
}

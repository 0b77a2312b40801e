package dev.tripline.testapp;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.nio.file.Files;
import java.nio.file.Path;
import net.bytebuddy.ByteBuddy;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.AppInfoParser;

/**
 * An application that bundles its own (older) Kafka client, protobuf, Caffeine and ByteBuddy — the
 * libraries the agent also uses, relocated. Prints where each class came from.
 */
public final class LibApp {
  public static void main(String[] args) throws Exception {
    Struct s =
        Struct.newBuilder().putFields("k", Value.newBuilder().setStringValue("v").build()).build();
    if (Struct.parseFrom(s.toByteArray()).getFieldsCount() != 1)
      throw new IllegalStateException("protobuf");
    Cache<String, String> cache = Caffeine.newBuilder().maximumSize(10).build();
    cache.put("a", "b");
    if (!"b".equals(cache.getIfPresent("a"))) throw new IllegalStateException("caffeine");
    Class<?> made =
        new ByteBuddy()
            .subclass(Object.class)
            .make()
            .load(LibApp.class.getClassLoader())
            .getLoaded();
    byte[] serialized = new StringSerializer().serialize("t", "x");
    Files.write(Path.of(args[0]), serialized);
    System.out.println(
        "kafka-clients " + AppInfoParser.getVersion() + " from " + origin(StringSerializer.class));
    System.out.println("protobuf from " + origin(Struct.class));
    System.out.println("caffeine from " + origin(Caffeine.class));
    System.out.println(
        "byte-buddy from "
            + origin(ByteBuddy.class)
            + " made "
            + made.getSuperclass().getSimpleName());
    for (String hidden :
        new String[] {
          "dev.tripline.agent.record.EventRecorder",
          "dev.tripline.agent.shaded.org.apache.kafka.clients.producer.KafkaProducer"
        }) {
      try {
        Class.forName(hidden);
        System.out.println("agent class visible: " + hidden);
      } catch (ClassNotFoundException expected) {
        // the agent's own classes live in its own class loader
      }
    }
    System.out.println("LIBAPP DONE");
  }

  private static String origin(Class<?> c) {
    String path = c.getProtectionDomain().getCodeSource().getLocation().getPath();
    return path.substring(path.lastIndexOf('/') + 1);
  }
}

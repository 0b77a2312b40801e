package dev.tripline.kafka;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension: one real Kafka broker for the whole test run (started on first use, shut down
 * when the run ends). Inject it as a parameter:
 *
 * <pre>
 * {@literal @}ExtendWith(KafkaBroker.class)
 * class MyTest {
 *   {@literal @}Test void works(EmbeddedKafka kafka) { ... kafka.bootstrapServers() ... }
 * }
 * </pre>
 *
 * Tests that stop or reconfigure a broker build their own {@link EmbeddedKafka} instead.
 */
public final class KafkaBroker implements ParameterResolver {

  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(KafkaBroker.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == EmbeddedKafka.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return shared(context);
  }

  /** The run-wide broker, started on first call. */
  public static EmbeddedKafka shared(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NS)
        .getOrComputeIfAbsent("broker", k -> new SharedBroker(), SharedBroker.class)
        .kafka;
  }

  /** Closed by JUnit when the root context closes, i.e. at the end of the run. */
  private static final class SharedBroker
      implements ExtensionContext.Store.CloseableResource, AutoCloseable {
    final EmbeddedKafka kafka = EmbeddedKafka.builder().build().start();

    SharedBroker() {
      System.err.printf(
          "[tripline-test] embedded Kafka at %s started in %d ms%n",
          kafka.bootstrapServers(), kafka.startMillis());
    }

    @Override
    public void close() {
      kafka.close();
    }
  }
}

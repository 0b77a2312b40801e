/**
 * The Kafka Streams side: {@code DetectionPipeline} (topology, configuration, health), the parsers
 * and checks at the edge ({@code Parsers}, {@code InputLimits} with the main consumer's {@code
 * BoundedClients} and {@code UnreadableRecords}, {@code Sanitizer}, {@code ServiceCap}, {@code
 * StringCaps}, {@code RecordLimits}), {@code DetectionProcessor} (moves records and state around
 * {@code detect.Detection}, which decides), typed store serdes ({@code ProtoSerde}), dead letters
 * and poison records ({@code StreamErrors}, {@code PoisonGuard}), {@code HealthMonitor}, meters,
 * and {@code StoreBackend} (the {@code api} over interactive queries). The only package that runs
 * Kafka Streams.
 */
package dev.tripline.collector.pipeline;

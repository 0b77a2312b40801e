/**
 * The collector application: {@code Main} (the picocli entry point of {@code
 * tripline-collector.jar}) and {@code CollectorApp}, which wires the embedded or external Kafka,
 * the detection pipeline and the HTTP server together. Everything else lives in the sub-packages;
 * this one may use all of them.
 */
package dev.tripline.collector;

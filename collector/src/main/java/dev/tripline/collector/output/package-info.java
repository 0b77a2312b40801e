/**
 * Alert outputs (docs/outputs.md): named outputs ({@code output.<name>.*}) parsed with the shared
 * grammar ({@link dev.tripline.collector.output.OutputSpecs}), each with its filter ({@link
 * dev.tripline.collector.output.AlertFilter}) and its own Kafka consumer group on the alerts topic
 * ({@link dev.tripline.collector.output.OutputWorker}: at-least-once, retries, dead letters), run
 * by {@link dev.tripline.collector.output.OutputEngine} inside {@code run} or alone ({@code
 * notify}). The senders ({@code *Sender}) speak one protocol each and never retry themselves: they
 * classify the outcome ({@link dev.tripline.collector.output.Delivery}), the worker decides.
 */
@NullMarked
package dev.tripline.collector.output;

import org.jspecify.annotations.NullMarked;

/**
 * Kafka administration for the collector: its topics ({@code CollectorTopics}), per-service event
 * topics ({@code ServiceTopics}) and ACLs ({@code KafkaAcls}). Uses the Kafka admin client and
 * {@code config}; no detection logic.
 */
package dev.tripline.collector.kafka;

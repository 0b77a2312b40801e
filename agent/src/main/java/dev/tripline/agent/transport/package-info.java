/**
 * Delivery to Kafka ({@code KafkaSink}: the relocated Kafka client, created on the pipeline thread;
 * its sender thread is the client's own), and the class names it must hand the client ({@code
 * KafkaClassNames}). Used by the pipeline thread only.
 */
package dev.tripline.agent.transport;

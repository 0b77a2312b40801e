/**
 * {@code CollectorConfig}: every configuration key with its default, parsed from the file, the
 * environment and the command line, validated once at start. Depends on nothing in the collector.
 */
package dev.tripline.collector.config;

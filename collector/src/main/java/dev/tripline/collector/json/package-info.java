/**
 * {@code Json}: the collector's one JSON reader and writer (on Jackson), strict about what it
 * accepts. Depends on nothing else in the collector.
 */
package dev.tripline.collector.json;

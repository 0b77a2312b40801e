/**
 * Alert construction and rendering for SIEMs: {@code Alerts} (NEW_*, KNOWN_BAD, NEW_CODE_PATH,
 * profile context, stable ids), {@code RateAlerts} (RATE_ANOMALY) and {@code OcsfJson} (OCSF
 * Detection Finding). Pure functions of the wire model; reads {@code kind}, {@code normalize},
 * {@code detect}'s rule and MITRE types and {@code json}. No Kafka, no I/O.
 */
@NullMarked
package dev.tripline.collector.alert;

import org.jspecify.annotations.NullMarked;

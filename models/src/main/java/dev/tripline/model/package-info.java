/**
 * The wire contract shared by the agent and the collector: the protobuf messages generated from
 * {@code models/src/main/proto/tripline/v1/tripline.proto} (events, batches, alerts, profiles,
 * analyst actions) and {@code Schema} (the schema version). Depends on protobuf-java only; the
 * agent relocates this package, so it must stay free of any other library.
 */
package dev.tripline.model;

/**
 * Where an observation becomes an event, on the application thread that made it: {@code
 * ObservationIntake} (each kind's key and what is not the application's doing), {@code
 * EventRecorder} (the caches and the repeat/fresh decision: a repeat is a lookup and an increment,
 * no lock, no allocation), {@code EventDescriber} (a new target as the wire describes it), {@code
 * FileShapes}, and what they use: paths ({@code FileTargets}, {@code SameFiles}, {@code SwapWatch},
 * {@code NamePatterns}), peers ({@code PortTable}, {@code PendingConnects}, {@code BoundAddresses},
 * {@code UnixSockets}, {@code DnsQueries}), processes ({@code Executables}, {@code
 * SpawnEnvironment}), code ({@code CodeOrigins}), filters and caps. {@code Occurrence} is the one
 * object the pipeline thread shares, through the recorder's bounded queue and its flush. Never
 * imports {@code pipeline}, {@code transport}, {@code instrument} or {@code identity} (checked by
 * {@code PackageRulesTest}).
 */
package dev.tripline.agent.record;

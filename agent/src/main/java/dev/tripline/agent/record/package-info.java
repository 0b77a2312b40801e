/**
 * Where an observation becomes an event. Mostly on the application thread that made it: {@code
 * ObservationIntake} (each kind's key and what is not the application's doing), {@code
 * EventRecorder} (the repeat/fresh decision on {@code OccurrenceCaches}: a repeat is a lookup and
 * an increment, no lock, no allocation), {@code EventDescriber} (a new target as the wire describes
 * it), {@code FileShapes}, and what they use: paths ({@code FileTargets}, {@code SameFiles}, {@code
 * SwapWatch}, {@code NamePatterns}), peers ({@code PeerTable}, {@code PortTable}, {@code
 * PendingConnects}, {@code BoundAddresses}, {@code UnixSockets}, {@code DnsQueries}), processes
 * ({@code Executables}, {@code SpawnEnvironment}), code ({@code CodeOrigins}), filters and caps.
 *
 * <p>The thread boundary runs through {@code FirstSights}: a new behaviour's stack is walked on the
 * application thread and kept unnamed in a {@code FirstSight} draft; the pipeline thread names its
 * call site and context frames and builds its event ({@code Occurrence.template()}) before the
 * first send. The caches' upkeep ({@code CacheUpkeep}) and the replay of early observations ({@code
 * Replay}) run on the pipeline thread too. {@code Occurrence} is the one object both threads share,
 * through the recorder's bounded queue and its flush. Never imports {@code pipeline}, {@code
 * transport}, {@code instrument} or {@code identity} (checked by {@code PackageRulesTest}).
 */
@NullMarked
package dev.tripline.agent.record;

import org.jspecify.annotations.NullMarked;

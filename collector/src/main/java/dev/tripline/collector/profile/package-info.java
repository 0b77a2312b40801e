/**
 * A service's learned profile: {@code Profiles} (one profile: entries, code owners, instances,
 * state, bounds per kind family and in bytes) and the shared {@code model.judge.Generalizer}
 * (patterns such as {@code /tmp/*} once a family is full). Uses {@code kind}, {@code
 * detect.CodeOwner} and the wire model; no Kafka.
 */
@NullMarked
package dev.tripline.collector.profile;

import org.jspecify.annotations.NullMarked;

/**
 * Protect mode, collector side (docs/protection.md): a service's protection policy as the analyst
 * sets it ({@link dev.tripline.collector.protect.ProtectionControl}, behind the REST API and the
 * CLI), audited as an analyst action and published as one compacted record per service on {@code
 * <topic.policy>.<service>} ({@code kafka.PolicyTopics}) for that service's agents. Validating a
 * policy record is shared with the agent: {@link dev.tripline.model.protect.PolicyReader}. May use
 * Kafka clients; never the pipeline.
 */
@NullMarked
package dev.tripline.collector.protect;

import org.jspecify.annotations.NullMarked;

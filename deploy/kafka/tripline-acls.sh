#!/usr/bin/env bash
# Least-privilege Kafka setup for Tripline (SASL/SCRAM principals + ACLs; the broker runs an authorizer,
# e.g. KRaft's org.apache.kafka.metadata.authorizer.StandardAuthorizer, with allow.everyone.if.no.acl.found=false).
# The same ACLs as dev.tripline.collector.kafka.KafkaAcls, which the collector's KafkaAclsTest applies to a
# real broker. See docs/operations.md, "Kafka: who may write what".
#
#   tripline-acls.sh user <name> <password-file>      SCRAM-SHA-512 credential for a principal
#   tripline-acls.sh collector                        the collector's ACLs and its public topics
#   tripline-acls.sh service <service> [principal]    a service's events topic, writable by its principal only,
#                                                     and its protection policy topic, readable by it only
#                                                     (principal defaults to User:svc-<service>)
#
# Settings (environment): BOOTSTRAP (localhost:9092), COMMAND_CONFIG (admin client properties, e.g. SASL_SSL
# as a super user), KAFKA_BIN (/opt/kafka/bin), EVENTS_TOPIC (tripline.events), POLICY_TOPIC (tripline.policy,
# the collector's topic.policy), APP_ID (tripline-collector,
# the collector's application.id), COLLECTOR_PRINCIPAL (User:tripline-collector), PARTITIONS (3: the
# collector's topic.partitions — service topics must have exactly as many), REPLICATION (1; 3 in production).
set -euo pipefail

BOOTSTRAP=${BOOTSTRAP:-localhost:9092}
KAFKA_BIN=${KAFKA_BIN:-/opt/kafka/bin}
EVENTS_TOPIC=${EVENTS_TOPIC:-tripline.events}
POLICY_TOPIC=${POLICY_TOPIC:-tripline.policy}
APP_ID=${APP_ID:-tripline-collector}
COLLECTOR_PRINCIPAL=${COLLECTOR_PRINCIPAL:-User:tripline-collector}
PARTITIONS=${PARTITIONS:-3}
REPLICATION=${REPLICATION:-1}
ADMIN=(--bootstrap-server "$BOOTSTRAP")
if [[ -n "${COMMAND_CONFIG:-}" ]]; then ADMIN+=(--command-config "$COMMAND_CONFIG"); fi

acl() { "$KAFKA_BIN/kafka-acls.sh" "${ADMIN[@]}" --add --force "$@"; }
topic() {
  "$KAFKA_BIN/kafka-topics.sh" "${ADMIN[@]}" --create --if-not-exists --topic "$1" \
    --partitions "$PARTITIONS" --replication-factor "$REPLICATION"
}
# A service's topic: <events topic>.<name>, characters outside [A-Za-z0-9._-] made _, at most 249 characters
# (the agent's {service} placeholder and the collector map names the same way).
service_topic() {
  local name
  name=$(LC_ALL=C.UTF-8 sed 's/[^A-Za-z0-9._-]/_/g' <<<"$1")
  local t="${2:-$EVENTS_TOPIC}.$name"
  echo "${t:0:249}"
}

case "${1:-}" in
  user)
    [[ $# -eq 3 ]] || { echo "usage: $0 user <name> <password-file>" >&2; exit 2; }
    "$KAFKA_BIN/kafka-configs.sh" "${ADMIN[@]}" --alter --entity-type users --entity-name "$2" \
      --add-config "SCRAM-SHA-512=[iterations=8192,password=$(<"$3")]"
    ;;
  collector)
    # Reads every events topic (the shared one and <events>.<service>); creates the shared one.
    acl --allow-principal "$COLLECTOR_PRINCIPAL" --operation Read --operation Describe \
      --topic "$EVENTS_TOPIC" --resource-pattern-type prefixed
    acl --allow-principal "$COLLECTOR_PRINCIPAL" --operation Create --topic "$EVENTS_TOPIC"
    # Alone writes actions, alerts and dead letters.
    for t in tripline.actions tripline.alerts tripline.alerts.json tripline.deadletter; do
      acl --allow-principal "$COLLECTOR_PRINCIPAL" --operation Read --operation Write --operation Describe \
        --operation Create --operation DescribeConfigs --topic "$t"
    done
    # Alone writes the protection policies, one compacted topic per service (created on the first change).
    acl --allow-principal "$COLLECTOR_PRINCIPAL" --operation Read --operation Write --operation Describe \
      --operation Create --operation DescribeConfigs --topic "$POLICY_TOPIC." --resource-pattern-type prefixed
    # Reads the ACLs (which service topics are bound to a principal: the shared topic may not speak for those services).
    acl --allow-principal "$COLLECTOR_PRINCIPAL" --operation Describe --cluster
    # Kafka Streams: changelogs and view topics, the group, the transactional ids all start with application.id.
    acl --allow-principal "$COLLECTOR_PRINCIPAL" --operation All --topic "$APP_ID" --resource-pattern-type prefixed
    acl --allow-principal "$COLLECTOR_PRINCIPAL" --operation Read --operation Describe \
      --group "$APP_ID" --resource-pattern-type prefixed
    acl --allow-principal "$COLLECTOR_PRINCIPAL" --operation Write --operation Describe \
      --transactional-id "$APP_ID" --resource-pattern-type prefixed
    for t in "$EVENTS_TOPIC" tripline.actions tripline.alerts tripline.alerts.json tripline.deadletter; do topic "$t"; done
    ;;
  service)
    [[ $# -ge 2 ]] || { echo "usage: $0 service <service> [principal]" >&2; exit 2; }
    t=$(service_topic "$2")
    topic "$t"
    # LITERAL, never prefixed: a prefixed ACL on tripline.events.payments also matches tripline.events.payments-eu.
    acl --allow-principal "${3:-User:svc-$2}" --operation Write --operation Describe --topic "$t"
    # Its protection policy: one partition, compacted, read by assignment (no consumer group), its own only.
    policy=$(service_topic "$2" "$POLICY_TOPIC")
    "$KAFKA_BIN/kafka-topics.sh" "${ADMIN[@]}" --create --if-not-exists --topic "$policy" \
      --partitions 1 --replication-factor "$REPLICATION" \
      --config cleanup.policy=compact --config retention.ms=-1 --config retention.bytes=-1
    acl --allow-principal "${3:-User:svc-$2}" --operation Read --operation Describe --topic "$policy"
    ;;
  *)
    sed -n '2,17p' "$0" >&2
    exit 2
    ;;
esac

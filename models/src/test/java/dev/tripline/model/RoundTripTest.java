package dev.tripline.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import org.junit.jupiter.api.Test;

class RoundTripTest {

  static EventBatch sampleBatch() {
    return EventBatch.newBuilder()
        .setSchemaVersion(Schema.VERSION)
        .setAgent(
            AgentIdentity.newBuilder()
                .setService("billing")
                .setInstanceId("i-1")
                .setHost("node-a")
                .setContainerId("abc123")
                .setK8SNamespace("prod")
                .setK8SPod("billing-7d9")
                .putLabels("team", "pay"))
        .setSequence(7)
        .addEvents(
            Event.newBuilder()
                .setKind(EventKind.NET_CONNECT)
                .setNetwork(
                    NetworkTarget.newBuilder()
                        .setHost("db.internal")
                        .setIp("10.0.0.5")
                        .setPort(5432)
                        .setProtocol("tcp"))
                .setCallSite(
                    CallSite.newBuilder()
                        .setClassName("com.acme.Repo")
                        .setMethodName("connect")
                        .setLineNumber(42)
                        .setJarName("acme-1.0.jar"))
                .setSuccess(true)
                .setCount(3)
                .setFirstSeenMs(1000)
                .setLastSeenMs(2000))
        .addEvents(
            Event.newBuilder()
                .setKind(EventKind.PROCESS_SPAWN)
                .setProcess(
                    ProcessTarget.newBuilder()
                        .setExecutable("/bin/sh")
                        .addArgv("/bin/sh")
                        .addArgv("-c")
                        .addArgv("id")))
        .setHealth(AgentHealth.newBuilder().setEventsSeen(10).putDroppedByReason("queue_full", 2))
        .build();
  }

  @Test
  void eventBatchSurvivesTheWire() throws Exception {
    EventBatch batch = sampleBatch();
    EventBatch back = EventBatch.parseFrom(batch.toByteArray());
    assertEquals(batch, back);
    assertEquals(Event.TargetCase.NETWORK, back.getEvents(0).getTargetCase());
    assertEquals(5432, back.getEvents(0).getNetwork().getPort());
    assertEquals("id", back.getEvents(1).getProcess().getArgv(2));
    assertEquals(2L, back.getHealth().getDroppedByReasonOrThrow("queue_full"));
  }

  @Test
  void alertAndProfileSurviveTheWire() throws Exception {
    Alert alert =
        Alert.newBuilder()
            .setSchemaVersion(Schema.VERSION)
            .setId("a-1")
            .setService("billing")
            .setReason(AlertReason.NEW_PROCESS)
            .setSeverity(Severity.HIGH)
            .setEvent(sampleBatch().getEvents(1))
            .setMitre(MitreTechnique.newBuilder().setId("T1059.004").setTactic("Execution"))
            .setContext(
                ProfileContext.newBuilder()
                    .setState(ProfileState.MONITORING)
                    .addKnownTargets("/usr/bin/git"))
            .addHistory(
                AnalystAction.newBuilder()
                    .setType(AnalystAction.ActionType.ACKNOWLEDGE)
                    .setActor("ana"))
            .build();
    assertEquals(alert, Alert.parseFrom(alert.toByteArray()));

    ServiceProfile profile =
        ServiceProfile.newBuilder()
            .setService("billing")
            .setState(ProfileState.LEARNING)
            .addEntries(
                ProfileEntry.newBuilder()
                    .setKey("NET_CONNECT|db:5432")
                    .setKind(EventKind.NET_CONNECT)
                    .setCount(9))
            .build();
    assertEquals(profile, ServiceProfile.parseFrom(profile.toByteArray()));
  }

  @Test
  void unknownFieldsFromANewerWriterAreKeptNotRejected() throws Exception {
    // A newer agent adds field 99; an older collector must still read the batch.
    byte[] withExtra =
        sampleBatch().toBuilder()
            .setUnknownFields(
                com.google.protobuf.UnknownFieldSet.newBuilder()
                    .addField(
                        99,
                        com.google.protobuf.UnknownFieldSet.Field.newBuilder().addVarint(1).build())
                    .build())
            .build()
            .toByteArray();
    EventBatch parsed = EventBatch.parseFrom(withExtra);
    assertEquals("billing", parsed.getAgent().getService());
    assertTrue(parsed.getUnknownFields().hasField(99));
  }

  @Test
  void garbageIsRejectedWithAnException() {
    assertThrows(
        InvalidProtocolBufferException.class,
        () -> EventBatch.parseFrom(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff}));
  }
}

package dev.tripline.collector.pipeline;

import dev.tripline.collector.config.CollectorConfig;
import dev.tripline.collector.config.CollectorKeys;

/**
 * The limits the detection processor applies to hostile input (see docs/operations.md, "Hostile
 * input"), and the heap its tasks may keep parsed profiles in ({@link ProfileMemo}).
 */
record Bounds(
    StringCaps strings,
    RecordLimits records,
    InputLimits input,
    PoisonGuard poison,
    int maxEntriesPerKind,
    ProfileMemo.Budget parsedProfiles) {

  static Bounds of(CollectorConfig config, Meters meters) {
    RecordLimits records =
        new RecordLimits(
            config.get(CollectorKeys.RECORD_MAX_BYTES),
            config.get(CollectorKeys.PROFILE_MAX_BYTES),
            config.get(CollectorKeys.PROFILE_MAX_INSTANCES),
            meters);
    return new Bounds(
        new StringCaps(config.get(CollectorKeys.STRING_MAX_CHARS), meters),
        records,
        new InputLimits(
            config.get(CollectorKeys.BATCH_MAX_BYTES),
            config.get(CollectorKeys.BATCH_MAX_EVENTS),
            Runtime.getRuntime().maxMemory()),
        new PoisonGuard(config.get(CollectorKeys.POISON_MAX_TRIES)),
        config.get(CollectorKeys.PROFILE_MAX_ENTRIES_PER_KIND),
        ProfileMemo.Budget.ofHeap(Runtime.getRuntime().maxMemory()));
  }
}

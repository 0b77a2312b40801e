package dev.tripline.collector.pipeline;

import dev.tripline.collector.config.CollectorConfig;

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
            config.getInt("record.max.bytes"),
            config.getInt("profile.max.bytes"),
            config.getInt("profile.max.instances"),
            meters);
    return new Bounds(
        new StringCaps(config.getInt("string.max.chars"), meters),
        records,
        new InputLimits(
            config.getInt("batch.max.bytes"),
            config.getInt("batch.max.events"),
            Runtime.getRuntime().maxMemory()),
        new PoisonGuard(config.getInt("poison.max.tries")),
        config.getInt("profile.max.entries.per.kind"),
        ProfileMemo.Budget.ofHeap(Runtime.getRuntime().maxMemory()));
  }
}

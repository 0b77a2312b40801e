/**
 * The hooks: each {@code HookGroup} declares the JDK (and library) methods it weaves and decodes
 * what they pass into a typed {@code record.Observations} call; {@code Hooks} numbers them into one
 * table; {@code HookWeaver}, {@code HookCode} and {@code NativeWrapper} weave them with ASM (on the
 * threads that load classes); {@code HookDispatcher} is what the bridge calls, on the application
 * thread. Never imports the pipeline thread's packages ({@code pipeline}, {@code transport}) nor
 * {@code identity} (checked by {@code PackageRulesTest}).
 */
@NullMarked
package dev.tripline.agent.instrument;

import org.jspecify.annotations.NullMarked;

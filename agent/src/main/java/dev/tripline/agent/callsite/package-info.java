/**
 * Which application code caused an event: {@code CallSites} (stack walks: the first frame that is
 * neither JDK nor agent code, and the context frames on the way), {@code CodeLocations} (the jar or
 * directory a class came from), {@code ContextFrames} (the context categories). Runs on the
 * application thread, for something new and for sampled repeats only. Imports no other agent
 * package.
 */
@NullMarked
package dev.tripline.agent.callsite;

import org.jspecify.annotations.NullMarked;

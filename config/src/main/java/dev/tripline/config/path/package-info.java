/**
 * The shapes of file paths, one copy for both programs: the lexical fold, the temp directories, the
 * token rule and the digit rule. The collector keys its profile by {@link
 * dev.tripline.config.path.PathShapes#key}; the agent folds a new file into the first of its shape
 * by {@link dev.tripline.config.path.PathShapes#nameShape}, which folds the last element exactly as
 * {@code key} does and keeps the directory: two paths of one shape in the agent are one profile
 * entry in the collector (never coarser, or the agent would hide what the collector alerts on). The
 * agent bundles this package relocated, as the rest of {@code dev.tripline.config}.
 */
@NullMarked
package dev.tripline.config.path;

import org.jspecify.annotations.NullMarked;

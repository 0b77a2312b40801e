/**
 * Who this JVM is ({@code IdentityResolver}: service, instance, host, container, pod), resolved
 * once on the pipeline thread, never in {@code premain}.
 */
package dev.tripline.agent.identity;

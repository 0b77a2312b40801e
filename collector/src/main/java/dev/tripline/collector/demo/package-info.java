/**
 * The self-contained demo behind {@code tripline-collector.jar demo}: the scenario ({@code Demo}),
 * the sample service JVM it supervises ({@code SampleService}), the service's fake neighbours
 * ({@code FakeBackends}), the attacker's steps ({@code AttackScript}) and the jars bundled in the
 * collector jar ({@code Bundled}). Uses {@code CollectorApp}, {@code config} and {@code api}; never
 * used by the product itself.
 */
package dev.tripline.collector.demo;

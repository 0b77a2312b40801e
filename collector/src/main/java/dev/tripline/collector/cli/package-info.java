/**
 * The command line: {@code run}, {@code demo}, {@code alerts}, {@code profile} (picocli commands)
 * and terminal rendering of alerts ({@code AlertText}, {@code TerminalSafe}: attacker-chosen
 * strings are escaped). Commands stay thin: they parse options and call {@code CollectorApp},
 * {@code demo.Demo} or the REST API ({@code ApiClient}).
 */
package dev.tripline.collector.cli;

package dev.tripline.agent.protect;

/**
 * Thrown by {@link EntryDecisions} through the hook group's decoding to the dispatcher, which turns
 * it into the exception the hooked JDK method declares ({@code instrument.Refusal}). Never reaches
 * the application itself; no stack trace (the application gets the real exception, with its own).
 */
public final class RefusedCall extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The rule that refused the call. */
  public final String rule;

  /** The path, peer or program as the application named it. */
  public final String target;

  RefusedCall(String rule, String target) {
    super(rule, null, false, false);
    this.rule = rule;
    this.target = target;
  }
}

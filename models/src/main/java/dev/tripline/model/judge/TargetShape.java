package dev.tripline.model.judge;

/** How a kind's target becomes a profile key and a line an analyst reads ({@link KindShapes}). */
public enum TargetShape {
  /** host:port of a peer we talk to (or a Unix socket path). */
  ENDPOINT,
  /** the local port a server uses; peers churn (or a Unix socket path). */
  LOCAL_PORT,
  /** the name looked up. */
  DNS_NAME,
  /** the path the kernel touched. */
  PATH,
  /** the destination of a move, else its source. */
  RENAMED_PATH,
  /** the argv shape. */
  COMMAND,
  /**
   * where code came from: a library's or jar's path (the real one), or a class with no origin on
   * disk by its origin and name.
   */
  CODE,
  /** no target (an event of no known kind). */
  NONE
}

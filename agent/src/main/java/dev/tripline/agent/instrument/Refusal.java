package dev.tripline.agent.instrument;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.AccessDeniedException;

/**
 * How a guarded hook refuses a call in protect mode's block: the exception its API already declares
 * for a refusal, so the application handles it as it handles any refused connect, unreadable file
 * or failed spawn. The message names Tripline and the rule.
 */
public enum Refusal {
  /** {@code Socket.connect}, {@code SocketChannel.connect}, {@code Net.connect}: refused. */
  CONNECT,
  /** {@code FileInputStream}/{@code FileOutputStream}/{@code RandomAccessFile}: not found. */
  FILE_STREAM,
  /** NIO opens, deletes and moves: access denied. */
  FILE_NIO,
  /** {@code File.delete}/{@code renameTo}: they declare no IOException, only SecurityException. */
  FILE_SECURITY,
  /** {@code ProcessBuilder.start}/{@code Runtime.exec}: cannot run the program. */
  SPAWN;

  /** The message every refusal carries (the tests and the docs quote it). */
  public static String message(String rule) {
    return "Tripline protect mode refused this call (rule " + rule + ")";
  }

  /**
   * The exception to throw for a call refused under {@code rule}; {@code target} is the path or
   * program as the application gave it (a file's exceptions name it, as the JDK's do).
   */
  public Throwable exception(String rule, String target) {
    String message = message(rule);
    switch (this) {
      case CONNECT:
        return new ConnectException(message);
      case FILE_STREAM:
        return new FileNotFoundException(target + " (" + message + ")");
      case FILE_NIO:
        return new AccessDeniedException(target, null, message);
      case FILE_SECURITY:
        return new SecurityException(message + ": " + target);
      case SPAWN:
        return new IOException("Cannot run program \"" + target + "\": " + message);
    }
    throw new AssertionError(this);
  }
}

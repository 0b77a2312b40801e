package dev.tripline.bench;

/** Prints the wall-clock time at which main was reached; the harness knows when it launched the JVM. */
public final class StartupApp {
  public static void main(String[] args) {
    System.out.println("MAIN_AT " + System.currentTimeMillis());
  }
}

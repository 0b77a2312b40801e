package dev.tripline.testapp;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A swap during the agent's start-up: at once in {@code main} (the agent's recorder is still being
 * built, so what the hooks see waits in its start-up buffer), a directory link is made to {@code
 * a}, {@code link/f.txt} read, deleted and written through it, and the link swapped to {@code b};
 * then it waits until the agent records (at most a minute). Usage: StartupSwapApp <link> <a> <b>
 */
public final class StartupSwapApp {
  public static void main(String[] args) throws Exception {
    Path link = Path.of(args[0]);
    Files.createSymbolicLink(link, Path.of(args[1]));
    System.out.println("read " + Files.readAllBytes(link.resolve("f.txt")).length + " bytes");
    Files.delete(link.resolve("g.txt"));
    Files.createFile(link.resolve("h.txt"));
    Files.delete(link);
    Files.createSymbolicLink(link, Path.of(args[2]));
    AgentReady.await();
    System.out.println("SWAP DONE");
  }
}

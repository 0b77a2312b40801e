package dev.tripline.collector;

import dev.tripline.collector.cli.AlertsCommand;
import dev.tripline.collector.cli.DemoCommand;
import dev.tripline.collector.cli.NotifyCommand;
import dev.tripline.collector.cli.ProfileCommand;
import dev.tripline.collector.cli.ProtectCommand;
import dev.tripline.collector.cli.RetireCommand;
import dev.tripline.collector.cli.RunCommand;
import dev.tripline.collector.config.CollectorConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar tripline-collector.jar <command>}. */
@Command(
    name = "tripline-collector",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description =
        "Tripline collector: learns how each JVM service behaves and alerts when it departs from it.",
    subcommands = {
      RunCommand.class,
      NotifyCommand.class,
      DemoCommand.class,
      AlertsCommand.class,
      ProfileCommand.class,
      RetireCommand.class,
      ProtectCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs a command line and returns its exit code (tests call this in-process). */
  public static int execute(String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          // Configuration mistakes are the user's to fix: one clear line, no stack trace.
          if (e instanceof CollectorConfig.ConfigException
              || e instanceof IllegalArgumentException) {
            cmd.getErr().println("tripline: " + e.getMessage());
            return 2;
          }
          throw e;
        });
    return cli.execute(args);
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"tripline-collector " + (v == null ? "dev" : v)};
    }
  }
}

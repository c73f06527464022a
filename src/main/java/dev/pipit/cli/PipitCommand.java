package dev.pipit.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;

/**
 * {@code pipit}: the top-level command; {@code serve} is the default when no subcommand is given.
 */
@Command(
    name = "pipit",
    mixinStandardHelpOptions = true,
    version = "pipit 0.1.0",
    description = "Fine-grained image search with learned binary codes.",
    subcommands = {
      TrainCommand.class,
      EvalCommand.class,
      EvalDemoCommand.class,
      BenchRetrievalCommand.class,
      BenchTrainCommand.class
    })
public final class PipitCommand {

  /** Keeps the console for progress: the engine's start-up chatter only at WARN and above. */
  public static void quietLibraries() {
    ((Logger) LoggerFactory.getLogger("ai.djl")).setLevel(Level.WARN);
  }

  /** Subcommands handled by the command line rather than the service. */
  public static boolean handles(String[] args) {
    return args.length > 0
        && (args[0].equals("train")
            || args[0].equals("eval")
            || args[0].equals("eval-demo")
            || args[0].equals("bench-retrieval")
            || args[0].equals("bench-train")
            || args[0].equals("help")
            || args[0].equals("--help")
            || args[0].equals("-h")
            || args[0].equals("--version")
            || args[0].equals("-V"));
  }
}

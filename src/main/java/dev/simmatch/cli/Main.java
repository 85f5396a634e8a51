package dev.simmatch.cli;

import dev.simmatch.StorageException;
import dev.simmatch.UserInputException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of {@code scripts/simmatch}. Exit codes: 0 success, 1 runtime failure (a one-line
 * message for output that could not be written, a stack trace for anything unexpected), 2 bad
 * input.
 */
@Command(
    name = "simmatch",
    mixinStandardHelpOptions = true,
    version = "simmatch-java 0.1.0",
    description = "Semi-supervised image classification (SimMatch, FixMatch) on TensorFlow Java.",
    subcommands = {
      CommandLine.HelpCommand.class,
      TrainCommand.class,
      EvalCommand.class,
      DataCommand.class,
      CheckParityCommand.class,
      ImportPytorchCommand.class,
      BenchCommand.class,
      ReportCommand.class,
      CheckVectorsCommand.class,
      ExportCommand.class,
      PredictCommand.class,
      GraphCommand.class,
      PipelineCommand.class,
    })
public final class Main implements Runnable {
  public static final int EXIT_RUNTIME = 1;
  public static final int EXIT_USAGE = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The configured command line, shared by main() and the tests. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.setExecutionExceptionHandler(Main::handle);
    return cl;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  private static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
    PrintWriter err = cl.getErr();
    Throwable user = e;
    while (user != null && !(user instanceof UserInputException)) {
      user = user.getCause();
    }
    if (user != null) {
      err.println("error: " + user.getMessage());
      err.flush();
      return EXIT_USAGE;
    }
    if (e instanceof StorageException) {
      err.println("error: " + e.getMessage());
      err.flush();
      return EXIT_RUNTIME;
    }
    err.println("failed: " + e);
    e.printStackTrace(err);
    err.flush();
    return EXIT_RUNTIME;
  }
}

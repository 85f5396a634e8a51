package dev.simmatch.cli;

import dev.simmatch.check.vectors.VectorChecker;
import dev.simmatch.io.ReferenceData;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code simmatch check-vectors DIR}: runs every reference-vector JSON file in DIR through the
 * training graph code ({@link VectorChecker}) and compares outputs, gradients and state updates in
 * float32 with tolerance {@code |got - want| <= 1e-4 + 1e-4 |want|}. Exit 0 when all pass, 1
 * otherwise.
 */
@Command(
    name = "check-vectors",
    mixinStandardHelpOptions = true,
    description = "Check reference vectors (JSON) against the graph code the trainer uses.")
public final class CheckVectorsCommand implements Callable<Integer> {

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "DIR",
      description =
          "directory of vector .json files (or one file); default: the repository's "
              + ReferenceData.IN_REPO
              + "/ssl-vectors")
  Path dir;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    VectorChecker.Summary summary =
        VectorChecker.checkAll(
            dir != null ? dir : ReferenceData.folder("ssl-vectors"), spec.commandLine().getOut());
    return summary.failed() == 0 ? 0 : Main.EXIT_RUNTIME;
  }
}

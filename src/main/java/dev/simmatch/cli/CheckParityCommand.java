package dev.simmatch.cli;

import dev.simmatch.check.parity.ParityChecker;
import dev.simmatch.io.ReferenceData;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code simmatch check-parity [DIR]}: compares our networks with the PyTorch reference triples in
 * DIR (default: the repository's WRN-28-2 case); see {@link ParityChecker} for what is compared and
 * the tolerance rule, which every run prints. Exit 0 when all checks pass, 1 otherwise.
 */
@Command(
    name = "check-parity",
    mixinStandardHelpOptions = true,
    description = "Check forward passes and two training steps against PyTorch reference npz triples in DIR.")
public final class CheckParityCommand implements Callable<Integer> {
  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "DIR",
      description =
          "folder with *_init.npz, *_io.npz, *_after2steps.npz; default: the repository's "
              + ReferenceData.IN_REPO + "/wrn28_2")
  Path dir;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    ParityChecker.Report report =
        new ParityChecker(ParityChecker.Settings.REFERENCE, ParityChecker.Tolerance.DEFAULT, out)
            .run(dir != null ? dir : ReferenceData.folder("wrn28_2"));
    return report.failed() == 0 ? 0 : Main.EXIT_RUNTIME;
  }
}

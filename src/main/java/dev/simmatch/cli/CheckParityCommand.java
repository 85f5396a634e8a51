package dev.simmatch.cli;

import dev.simmatch.UserInputException;
import dev.simmatch.check.parity.ParityChecker;
import dev.simmatch.config.Precision;
import dev.simmatch.io.ReferenceData;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
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

  @Option(names = "--precision", defaultValue = "float32", paramLabel = "float32|bfloat16",
      description = "float32 (default) or bfloat16: the network in mixed precision, as train.precision=bfloat16"
          + " trains it, judged with the bfloat16 tolerance (needs a CPU with avx512_bf16 or amx_bf16)")
  String precision;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (!Precision.VALUES.contains(precision) || "auto".equals(precision)) {
      throw new UserInputException("check-parity --precision: expected float32 or bfloat16, got '" + precision + "'");
    }
    Precision p = Precision.resolve(precision).precision();
    ParityChecker.Tolerance tolerance =
        p == Precision.BFLOAT16 ? ParityChecker.Tolerance.BFLOAT16 : ParityChecker.Tolerance.DEFAULT;
    ParityChecker.Report report =
        new ParityChecker(ParityChecker.Settings.REFERENCE, tolerance, p, out)
            .run(dir != null ? dir : ReferenceData.folder("wrn28_2"));
    return report.failed() == 0 ? 0 : Main.EXIT_RUNTIME;
  }
}

package dev.simmatch.cli;

import dev.simmatch.algorithms.vectors.Comparison;
import dev.simmatch.algorithms.vectors.VectorChecker;
import dev.simmatch.io.ReferenceData;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code simmatch check-vectors DIR}: runs every reference-vector JSON file in DIR through the
 * training graph code and compares outputs, gradients and state updates in float32 with tolerance
 * {@code |got - want| <= 1e-4 + 1e-4 |want|}. Exit 0 when all pass, 1 otherwise.
 */
@Command(
    name = "check-vectors",
    mixinStandardHelpOptions = true,
    description =
        "Check SimMatch/FixMatch/distribution-alignment reference vectors (JSON) against the graph"
            + " code.")
public final class CheckVectorsCommand implements Callable<Integer> {

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "DIR",
      description =
          "directory of vector .json files (or one file); default: the repository's "
              + ReferenceData.IN_REPO + "/ssl-vectors")
  Path dir;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Results of one invocation. */
  public record Summary(List<Comparison.Result> results) {
    public long passed() {
      return results.stream().filter(Comparison.Result::passed).count();
    }

    public long failed() {
      return results.size() - passed();
    }
  }

  @Override
  public Integer call() {
    Summary summary = run(dir != null ? dir : ReferenceData.folder("ssl-vectors"), spec.commandLine().getOut());
    return summary.failed() == 0 ? 0 : Main.EXIT_RUNTIME;
  }

  /** Checks every file, printing one line per file (plus its problems) and a total. */
  public static Summary run(Path dir, PrintWriter out) {
    List<Comparison.Result> results = new ArrayList<>();
    for (Path file : VectorChecker.files(dir)) {
      Comparison.Result r = VectorChecker.check(file);
      results.add(r);
      out.printf(
          "%s  %-48s max |err| %.2e  worst %s (%.3f of tolerance)%n",
          r.passed() ? "PASS" : "FAIL",
          file.getFileName(),
          r.maxError(),
          r.worstTensor(),
          r.worstRatio());
      for (String problem : r.problems()) {
        out.println("      " + problem);
      }
      out.flush();
    }
    Summary summary = new Summary(results);
    out.printf("%d passed, %d failed%n", summary.passed(), summary.failed());
    out.flush();
    return summary;
  }
}

package dev.simmatch.check.vectors;

import dev.simmatch.UserInputException;
import dev.simmatch.io.VectorFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Checks reference vectors against the graph code the trainer uses. Chooses the {@link
 * VectorFamily} from each file's {@code algorithm} field.
 */
public final class VectorChecker {
  private static final List<VectorFamily> FAMILIES =
      List.of(
          new SimMatchFamily(), new FixMatchFamily(), new DaEmaFamily(), new ReMixMatchFamily(), new NtXentFamily(),
          new LarsFamily(), new ProjectionHeadFamily(), new LrScheduleFamily(), new DistillFamily());

  private VectorChecker() {}

  /** Results of one directory. */
  public record Summary(List<Comparison.Result> results) {
    public long passed() {
      return results.stream().filter(Comparison.Result::passed).count();
    }

    public long failed() {
      return results.size() - passed();
    }
  }

  /** The JSON files of a directory in name order, or the file itself. */
  public static List<Path> files(Path dirOrFile) {
    if (Files.isRegularFile(dirOrFile)) {
      return List.of(dirOrFile);
    }
    if (!Files.isDirectory(dirOrFile)) {
      throw new UserInputException("vector directory " + dirOrFile + " does not exist");
    }
    try (Stream<Path> s = Files.list(dirOrFile)) {
      List<Path> files =
          s.filter(p -> p.getFileName().toString().endsWith(".json") && Files.isRegularFile(p))
              .sorted()
              .toList();
      if (files.isEmpty()) {
        throw new UserInputException("vector directory " + dirOrFile + " holds no .json files");
      }
      return files;
    } catch (IOException e) {
      throw new UserInputException(
          "cannot list vector directory " + dirOrFile + ": " + e.getMessage(), e);
    }
  }

  /** Checks every file, printing one line per file (plus its problems) and a total. */
  public static Summary checkAll(Path dirOrFile, PrintWriter out) {
    List<Comparison.Result> results = new ArrayList<>();
    for (Path file : files(dirOrFile)) {
      Comparison.Result r = check(file);
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

  /** Runs one file. A malformed file gives a failed result whose problem names the key at fault. */
  public static Comparison.Result check(Path path) {
    VectorFile file;
    String algorithm = "?";
    try {
      file = VectorFile.read(path);
      algorithm = file.algorithm();
    } catch (UserInputException e) {
      return failed(path, algorithm, e.getMessage());
    }
    Comparison cmp = new Comparison(file);
    String name = algorithm;
    VectorFamily family =
        FAMILIES.stream().filter(f -> f.algorithm().equals(name)).findFirst().orElse(null);
    if (family == null) {
      cmp.problem(
          "unknown algorithm '"
              + algorithm
              + "' (expected one of "
              + FAMILIES.stream().map(VectorFamily::algorithm).collect(Collectors.joining(", "))
              + ")");
      return cmp.result(algorithm);
    }
    try {
      family.check(file, cmp);
    } catch (UserInputException e) {
      cmp.problem(e.getMessage());
    }
    return cmp.result(algorithm);
  }

  private static Comparison.Result failed(Path path, String algorithm, String message) {
    return new Comparison.Result(
        path, algorithm, false, Double.NaN, "-", Double.NaN, List.of(message));
  }
}

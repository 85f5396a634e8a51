package dev.simmatch.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.simmatch.UserInputException;
import dev.simmatch.train.MetricsCsv;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.stat.StatUtils;
import org.apache.commons.math3.stat.descriptive.rank.Median;

/**
 * One training run as the reports see it: who it is (from {@code result.json}, present once the
 * run has finished) and its evaluations (the rows of {@code metrics.csv}).
 *
 * @param rows one map per evaluation, column name to value (NaN where a cell is empty)
 */
public record RunSummary(
    Path dir, String run, String algorithm, String dataset, int labels, long seed, long steps,
    List<Map<String, Double>> rows) {

  /** Evaluations the "median of the last" figure covers (all of them when fewer). */
  public static final int MEDIAN_WINDOW = 20;

  public static final String RESULT_FILE = "result.json";

  /** True once the trainer has written {@code result.json}. */
  public static boolean isFinished(Path runDir) {
    return Files.isRegularFile(runDir.resolve(RESULT_FILE));
  }

  /**
   * Reads a finished run.
   *
   * @throws UserInputException if result.json or metrics.csv is missing or unreadable
   */
  public static RunSummary read(Path runDir) {
    Path resultFile = runDir.resolve(RESULT_FILE);
    if (!Files.isRegularFile(resultFile)) {
      throw new UserInputException(resultFile + " not found: expected a finished run directory");
    }
    JsonNode r;
    try {
      r = new ObjectMapper().readTree(resultFile.toFile());
    } catch (IOException e) {
      throw new UserInputException(resultFile + ": not valid JSON (" + e.getMessage() + ")", e);
    }
    for (String key : List.of("algorithm", "dataset", "labels", "seed", "steps")) {
      if (r == null || !r.hasNonNull(key)) {
        throw new UserInputException(resultFile + ": key '" + key + "' missing");
      }
    }
    String run = r.hasNonNull("run") ? r.get("run").asText() : runDir.getFileName().toString();
    return new RunSummary(runDir, run, r.get("algorithm").asText(), r.get("dataset").asText(),
        r.get("labels").asInt(), r.get("seed").asLong(), r.get("steps").asLong(), readMetrics(runDir));
  }

  /**
   * The rows of {@code runDir/metrics.csv}.
   *
   * @throws UserInputException if the file is missing, has no rows, or holds a non-number
   */
  public static List<Map<String, Double>> readMetrics(Path runDir) {
    Path file = runDir.resolve(MetricsCsv.FILE);
    if (!Files.isRegularFile(file)) {
      throw new UserInputException(file + " not found: expected the metrics of a run");
    }
    List<Map<String, Double>> rows;
    try {
      rows = MetricsCsv.read(runDir, Long.MAX_VALUE);
    } catch (NumberFormatException | UncheckedIOException e) {
      throw new UserInputException(file + ": cannot read (" + e.getMessage() + "); expected numeric CSV with a"
          + " header row", e);
    }
    if (rows.isEmpty()) {
      throw new UserInputException(file + " has no evaluation rows");
    }
    if (!rows.get(0).containsKey("step")) {
      throw new UserInputException(file + ": column 'step' missing");
    }
    return rows;
  }

  /** The finite values of a column, in row order (empty if the column is absent). */
  public double[] values(String column) {
    return values(rows, column);
  }

  static double[] values(List<Map<String, Double>> rows, String column) {
    return rows.stream().map(row -> row.getOrDefault(column, Double.NaN)).filter(Double::isFinite)
        .mapToDouble(Double::doubleValue).toArray();
  }

  /** Best value of a column over the run (NaN if it has none). */
  public double best(String column) {
    return StatUtils.max(values(column));
  }

  /** Median of the column's last {@link #MEDIAN_WINDOW} values. */
  public double medianOfLast(String column) {
    double[] v = values(column);
    double[] last = Arrays.copyOfRange(v, Math.max(0, v.length - MEDIAN_WINDOW), v.length);
    return last.length == 0 ? Double.NaN : new Median().evaluate(last);
  }

  /**
   * The run directories among {@code paths}: each path is a run directory (it holds result.json or
   * metrics.csv) or a folder whose immediate subdirectories are run directories.
   *
   * @throws UserInputException if a path is neither
   */
  public static List<Path> runDirs(List<Path> paths) {
    List<Path> dirs = new ArrayList<>();
    for (Path p : paths) {
      if (!Files.isDirectory(p)) {
        throw new UserInputException(p + ": not a directory; expected a run directory or a folder of them");
      }
      if (isRunDir(p)) {
        dirs.add(p);
        continue;
      }
      List<Path> children;
      try (var list = Files.list(p)) {
        children = list.filter(Files::isDirectory).filter(RunSummary::isRunDir).sorted().toList();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list " + p, e);
      }
      if (children.isEmpty()) {
        throw new UserInputException(p + ": no result.json or metrics.csv in it or its subdirectories");
      }
      dirs.addAll(children);
    }
    return dirs;
  }

  private static boolean isRunDir(Path p) {
    return isFinished(p) || Files.isRegularFile(p.resolve(MetricsCsv.FILE));
  }
}

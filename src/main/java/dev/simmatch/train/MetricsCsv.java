package dev.simmatch.train;

import dev.simmatch.io.Durable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code metrics.csv}: one row per evaluation with the test accuracies and the training monitors
 * averaged since the previous evaluation. Columns are fixed by the first row written.
 */
public final class MetricsCsv {
  public static final String FILE = "metrics.csv";
  private static final Logger LOG = LoggerFactory.getLogger(MetricsCsv.class);
  private final Path path;
  private List<String> columns;

  public MetricsCsv(Path runDir) {
    this.path = runDir.resolve(FILE);
  }

  public void append(Map<String, Double> row) {
    try {
      if (columns == null) {
        if (Files.exists(path) && Files.size(path) > 0) {
          columns = List.of(Files.readAllLines(path).get(0).split(","));
        } else {
          columns = new ArrayList<>(row.keySet());
          Files.writeString(path, String.join(",", columns) + "\n");
        }
      }
      Files.writeString(path, line(columns, row) + "\n", StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + path, e);
    }
  }

  private static String format(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format("%.6g", v);
  }

  /** Reads every row; keeps only rows with step &lt;= maxStep (resume discards later rows). */
  public static List<Map<String, Double>> read(Path runDir, long maxStep) {
    Path p = runDir.resolve(FILE);
    List<Map<String, Double>> rows = new ArrayList<>();
    if (!Files.exists(p)) {
      return rows;
    }
    try {
      List<String> lines = Files.readAllLines(p);
      if (lines.isEmpty()) {
        return rows;
      }
      String[] head = lines.get(0).split(",");
      for (int n = 1; n < lines.size(); n++) {
        Map<String, Double> row = parse(head, lines.get(n));
        if (row == null) {
          // a row cut short by a full disk: it lies past the last checkpoint, so nothing is lost
          LOG.warn("{}: skipping damaged line {}", p, n + 1);
          continue;
        }
        if (row.getOrDefault("step", Double.NaN) <= maxStep) {
          rows.add(row);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + p, e);
    }
    return rows;
  }

  /** One row, or null if the line does not have one number per column. */
  private static Map<String, Double> parse(String[] head, String line) {
    String[] cells = line.split(",", -1);
    if (cells.length != head.length) {
      return null;
    }
    Map<String, Double> row = new LinkedHashMap<>();
    try {
      for (int i = 0; i < head.length; i++) {
        row.put(head[i], cells[i].isEmpty() ? Double.NaN : Double.parseDouble(cells[i]));
      }
    } catch (NumberFormatException e) {
      return null;
    }
    return row;
  }

  /**
   * Rewrites the file with the given rows (used on resume to drop evaluations past the
   * checkpoint), through a temporary file so that a crash keeps either the old or the new rows.
   */
  public static void rewrite(Path runDir, List<Map<String, Double>> rows) {
    Path p = runDir.resolve(FILE);
    if (rows.isEmpty()) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot delete " + p, e);
      }
      return;
    }
    List<String> columns = new ArrayList<>(rows.get(0).keySet());
    StringBuilder text = new StringBuilder(String.join(",", columns)).append('\n');
    for (Map<String, Double> row : rows) {
      text.append(line(columns, row)).append('\n');
    }
    try {
      Durable.writeString(p, text.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + p, e);
    }
  }

  private static String line(List<String> columns, Map<String, Double> row) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < columns.size(); i++) {
      Double v = row.get(columns.get(i));
      sb.append(i == 0 ? "" : ",").append(v == null ? "" : format(v));
    }
    return sb.toString();
  }
}

package dev.simmatch.report;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.knowm.xchart.XYChart;

/**
 * Training curves from {@code metrics.csv} as PNG charts: test accuracy, pseudo-label accuracy and
 * mask ratio over steps, for one run or comparing algorithms (mean over seeds) like the SimMatch
 * paper's figures. Fractions are plotted in percent.
 */
public final class Curves {
  /**
   * One chart: which metrics.csv columns it draws, under which legend names, times {@code scale}.
   */
  record Panel(String file, String title, String yTitle, Map<String, String> columns, double scale) {}

  /** The charts of a single run. */
  static final List<Panel> RUN_PANELS = List.of(
      new Panel("test-accuracy", "test accuracy", "top-1 (%)",
          ordered("top1_ema", "EMA weights", "top1_raw", "raw weights"), 1),
      new Panel("pseudo-label-accuracy", "pseudo-label accuracy", "accuracy (%)",
          ordered("pseudo_label_acc", "above the threshold (masked)", "unlabeled_acc", "all unlabeled"), 100),
      new Panel("mask-ratio", "mask ratio", "unlabeled above the threshold (%)", ordered("mask_ratio", "mask ratio"), 100),
      new Panel("loss", "training loss", "loss",
          ordered("loss", "total", "loss_x", "labeled", "loss_u", "unlabeled", "loss_in", "instance"), 1),
      new Panel("knn-accuracy", "k-NN top-1 (labeled split as memory)", "top-1 (%)",
          ordered("knn_top1", "k-NN top-1"), 1),
      new Panel("contrastive", "contrastive accuracy", "accuracy (%)", ordered("contrast_acc", "contrast_acc"), 100));

  /** The metrics compared across algorithms, one chart each. */
  static final List<Panel> COMPARISON_PANELS = List.of(
      new Panel("test-accuracy", "test accuracy (EMA)", "top-1 (%)", ordered("top1_ema", ""), 1),
      new Panel("pseudo-label-accuracy", "pseudo-label accuracy", "accuracy of masked pseudo-labels (%)",
          ordered("pseudo_label_acc", ""), 100),
      new Panel("mask-ratio", "mask ratio", "unlabeled above the threshold (%)", ordered("mask_ratio", ""), 100),
      new Panel("knn-accuracy", "k-NN accuracy of the encoder", "top-1 (%)", ordered("knn_top1", ""), 1));

  private record Setting(String dataset, int labels) {}

  private Curves() {}

  /**
   * Writes {@code <panel>.png} into outDir for every panel with at least one column present in
   * the rows.
   *
   * @param name run name for the titles
   * @return the files written
   */
  public static List<Path> writeRun(String name, List<Map<String, Double>> rows, Path outDir) {
    List<Path> written = new ArrayList<>();
    for (Panel p : RUN_PANELS) {
      XYChart chart = Charts.lines(name + ": " + p.title(), "step", p.yTitle());
      p.columns().forEach((column, legend) -> {
        double[][] xy = curve(rows, column, p.scale());
        if (xy[0].length > 0) {
          chart.addSeries(legend, xy[0], xy[1]);
        }
      });
      if (!chart.getSeriesMap().isEmpty()) {
        Path file = outDir.resolve(p.file() + ".png");
        Charts.writePng(file, List.of(chart), 1, 1);
        written.add(file);
      }
    }
    return written;
  }

  /**
   * Writes {@code <panel>-<dataset>-<labels>.png} for every (dataset, labels) setting among the
   * runs: one series per algorithm that logged the metric, the mean over its seeds at the steps
   * every seed evaluated.
   *
   * @return the files written
   */
  public static List<Path> writeComparison(List<RunSummary> runs, Path outDir) {
    Map<Setting, Map<String, List<RunSummary>>> bySetting =
        new TreeMap<>(Comparator.comparing(Setting::dataset).thenComparingInt(Setting::labels));
    for (RunSummary r : runs) {
      bySetting.computeIfAbsent(new Setting(r.dataset(), r.labels()), k -> new TreeMap<>(AccuracyTable.ALGORITHM_ORDER))
          .computeIfAbsent(r.algorithm(), k -> new ArrayList<>()).add(r);
    }
    List<Path> written = new ArrayList<>();
    bySetting.forEach((setting, byAlgorithm) -> {
      for (Panel p : COMPARISON_PANELS) {
        String column = p.columns().keySet().iterator().next();
        XYChart chart =
            Charts.lines(setting.dataset() + ", " + setting.labels() + " labels: " + p.title(), "step", p.yTitle());
        byAlgorithm.forEach((algorithm, seeds) -> {
          double[][] xy = meanCurve(seeds, column, p.scale());
          if (xy[0].length > 0) {
            String what = seeds.size() == 1 ? "seed " + seeds.get(0).seed() : "mean of " + seeds.size() + " seeds";
            var series = chart.addSeries(algorithm + " (" + what + ")", xy[0], xy[1]);
            java.awt.Color color = Charts.colorOf(algorithm);
            if (color != null) {
              series.setLineColor(color);
              series.setMarkerColor(color);
            }
          }
        });
        if (!chart.getSeriesMap().isEmpty()) {
          Path file = outDir.resolve(p.file() + "-" + setting.dataset() + "-" + setting.labels() + ".png");
          Charts.writePng(file, List.of(chart), 1, 1);
          written.add(file);
        }
      }
    });
    return written;
  }

  /** {steps, values * scale} of the rows where both are finite. */
  static double[][] curve(List<Map<String, Double>> rows, String column, double scale) {
    List<double[]> points = new ArrayList<>();
    for (Map<String, Double> row : rows) {
      double s = row.getOrDefault("step", Double.NaN);
      double v = row.getOrDefault(column, Double.NaN);
      if (Double.isFinite(s) && Double.isFinite(v)) {
        points.add(new double[] {s, v * scale});
      }
    }
    return new double[][] {
      points.stream().mapToDouble(p -> p[0]).toArray(), points.stream().mapToDouble(p -> p[1]).toArray()
    };
  }

  /** {steps, mean over runs of values * scale} at the steps where every run has a finite value. */
  static double[][] meanCurve(List<RunSummary> runs, String column, double scale) {
    List<Map<Double, Double>> perRun = new ArrayList<>();
    TreeSet<Double> common = null;
    for (RunSummary r : runs) {
      double[][] xy = curve(r.rows(), column, scale);
      Map<Double, Double> m = new LinkedHashMap<>();
      for (int i = 0; i < xy[0].length; i++) {
        m.put(xy[0][i], xy[1][i]);
      }
      perRun.add(m);
      if (common == null) {
        common = new TreeSet<>(m.keySet());
      } else {
        common.retainAll(m.keySet());
      }
    }
    double[] steps = common == null ? new double[0] : common.stream().mapToDouble(Double::doubleValue).toArray();
    double[] mean = new double[steps.length];
    for (int i = 0; i < steps.length; i++) {
      double s = 0;
      for (Map<Double, Double> m : perRun) {
        s += m.get(steps[i]);
      }
      mean[i] = s / perRun.size();
    }
    return new double[][] {steps, mean};
  }

  private static Map<String, String> ordered(String... columnLegendPairs) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < columnLegendPairs.length; i += 2) {
      m.put(columnLegendPairs[i], columnLegendPairs[i + 1]);
    }
    return m;
  }
}

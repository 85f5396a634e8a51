package dev.simmatch.report;

import dev.simmatch.algorithms.AlgorithmRegistry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.stat.StatUtils;
import org.apache.commons.math3.stat.descriptive.moment.StandardDeviation;
import org.apache.commons.math3.stat.inference.TTest;

/**
 * The accuracy table over seeds: for every (dataset, labels, algorithm), the mean and sample
 * standard deviation over its runs of the best EMA top-1, the best raw top-1 and the median of the
 * last 20 EMA evaluations (all of them when fewer), each computed from the run's metrics.csv; a
 * t-based 95% confidence interval of the mean best EMA top-1; and Welch's t-test of the best EMA
 * top-1 between every two algorithms of the same dataset and label count. Statistics from Apache
 * Commons Math.
 */
public final class AccuracyTable {
  /** Algorithms in the registry's order (supervised, fixmatch, simmatch, remixmatch), unknown ones after, by name. */
  static final Comparator<String> ALGORITHM_ORDER =
      Comparator.<String>comparingInt(a -> AlgorithmRegistry.NAMES.contains(a) ? AlgorithmRegistry.NAMES.indexOf(a)
          : AlgorithmRegistry.NAMES.size()).thenComparing(Comparator.naturalOrder());

  /**
   * A figure over seeds, in percent.
   *
   * @param mean arithmetic mean
   * @param std sample standard deviation (n - 1), NaN for one value
   * @param ciLow lower end of the 95% confidence interval of the mean, mean - t(0.975, n-1) *
   *     std / sqrt(n); NaN for one value
   * @param ciHigh upper end
   * @param values the per-seed figures
   */
  public record Stat(double mean, double std, double ciLow, double ciHigh, double[] values) {
    static Stat of(List<RunSummary> runs, ToDoubleFunction<RunSummary> f) {
      return of(runs.stream().mapToDouble(f).toArray());
    }

    /** The statistics of plain values. */
    public static Stat of(double[] v) {
      double mean = StatUtils.mean(v);
      if (v.length < 2) {
        return new Stat(mean, Double.NaN, Double.NaN, Double.NaN, v.clone());
      }
      double std = new StandardDeviation(true).evaluate(v);
      double half =
          new TDistribution(v.length - 1).inverseCumulativeProbability(0.975) * std / Math.sqrt(v.length);
      return new Stat(mean, std, mean - half, mean + half, v.clone());
    }

    String interval() {
      return Double.isFinite(ciLow) ? String.format(Locale.ROOT, "[%.2f, %.2f]", ciLow, ciHigh) : "n/a";
    }

    String format() {
      if (!Double.isFinite(mean)) {
        return "n/a";
      }
      return Double.isFinite(std) ? String.format(Locale.ROOT, "%.2f ± %.2f", mean, std)
          : String.format(Locale.ROOT, "%.2f", mean);
    }
  }

  /**
   * One line of the table.
   *
   * @param runs the seeds, in seed order
   */
  public record Row(
      String dataset, int labels, String algorithm, List<RunSummary> runs, Stat bestEma, Stat bestRaw,
      Stat medianLastEma) {}

  private AccuracyTable() {}

  /** Per-run figures: best EMA, best raw, median of the last EMA evaluations. */
  public static double bestEma(RunSummary r) {
    return r.best("top1_ema");
  }

  public static double bestRaw(RunSummary r) {
    return r.best("top1_raw");
  }

  public static double medianLastEma(RunSummary r) {
    return r.medianOfLast("top1_ema");
  }

  /** Groups the runs by dataset, labels and algorithm, in that order. */
  public static List<Row> rows(List<RunSummary> runs) {
    Map<String, Map<Integer, Map<String, List<RunSummary>>>> groups = new TreeMap<>();
    for (RunSummary r : runs) {
      groups.computeIfAbsent(r.dataset(), k -> new TreeMap<>())
          .computeIfAbsent(r.labels(), k -> new TreeMap<>(ALGORITHM_ORDER))
          .computeIfAbsent(r.algorithm(), k -> new ArrayList<>()).add(r);
    }
    List<Row> rows = new ArrayList<>();
    groups.forEach((dataset, byLabels) -> byLabels.forEach((labels, byAlgorithm) ->
        byAlgorithm.forEach((algorithm, group) -> {
          List<RunSummary> seeds = group.stream().sorted(Comparator.comparingLong(RunSummary::seed)).toList();
          rows.add(new Row(dataset, labels, algorithm, seeds, Stat.of(seeds, AccuracyTable::bestEma),
              Stat.of(seeds, AccuracyTable::bestRaw), Stat.of(seeds, AccuracyTable::medianLastEma)));
        })));
    return rows;
  }

  /** The summary table (mean ± std over seeds, and the 95% interval of the mean best EMA). */
  public static TextTable summary(List<Row> rows) {
    TextTable t = new TextTable(3, "dataset", "labels", "algorithm", "seeds", "steps", "best top-1 EMA",
        "best top-1 raw", "median last " + RunSummary.MEDIAN_WINDOW + " EMA", "best EMA 95% CI");
    for (Row r : rows) {
      t.add(r.dataset(), Integer.toString(r.labels()), r.algorithm(),
          r.runs().stream().map(s -> Long.toString(s.seed())).reduce((a, b) -> a + "," + b).orElse(""),
          steps(r.runs()), r.bestEma().format(), r.bestRaw().format(), r.medianLastEma().format(),
          r.bestEma().interval());
    }
    return t;
  }

  /**
   * Welch's t-test (unequal variances, two-sided) of the best EMA top-1 over seeds, for every two
   * algorithms of the same dataset and label count that both have at least two seeds.
   *
   * @param a the first algorithm's row
   * @param b the second's
   * @param difference mean of a minus mean of b, in points
   * @param t Welch's t statistic
   * @param p two-sided p-value
   */
  public record Comparison(Row a, Row b, double difference, double t, double p) {}

  public static List<Comparison> comparisons(List<Row> rows) {
    List<Comparison> out = new ArrayList<>();
    TTest test = new TTest();
    for (int i = 0; i < rows.size(); i++) {
      for (int j = i + 1; j < rows.size(); j++) {
        Row a = rows.get(i);
        Row b = rows.get(j);
        double[] x = a.bestEma().values();
        double[] y = b.bestEma().values();
        if (!a.dataset().equals(b.dataset()) || a.labels() != b.labels() || x.length < 2 || y.length < 2) {
          continue;
        }
        out.add(new Comparison(a, b, a.bestEma().mean() - b.bestEma().mean(), test.t(x, y), test.tTest(x, y)));
      }
    }
    return out;
  }

  /** The comparisons as a table. */
  public static TextTable comparisonTable(List<Comparison> comparisons) {
    TextTable t = new TextTable(4, "dataset", "labels", "A", "B", "mean A - B", "Welch t", "p (two-sided)");
    for (Comparison c : comparisons) {
      t.add(c.a().dataset(), Integer.toString(c.a().labels()), c.a().algorithm(), c.b().algorithm(),
          String.format(Locale.ROOT, "%+.2f", c.difference()), String.format(Locale.ROOT, "%.2f", c.t()),
          String.format(Locale.ROOT, "%.3f", c.p()));
    }
    return t;
  }

  /** One line per run with its own figures, for checking the summary. */
  public static TextTable perRun(List<Row> rows) {
    TextTable t = new TextTable(2, "run", "algorithm", "labels", "seed", "steps", "evaluations", "best top-1 EMA",
        "best top-1 raw", "median last " + RunSummary.MEDIAN_WINDOW + " EMA");
    for (Row row : rows) {
      for (RunSummary r : row.runs()) {
        t.add(r.run(), r.algorithm(), Integer.toString(r.labels()), Long.toString(r.seed()), Long.toString(r.steps()),
            Integer.toString(r.rows().size()), pct(bestEma(r)), pct(bestRaw(r)), pct(medianLastEma(r)));
      }
    }
    return t;
  }

  /** The markdown document written by {@code report --runs ... --table FILE}. */
  public static String markdown(List<RunSummary> runs) {
    List<Row> rows = rows(runs);
    List<Comparison> comparisons = comparisons(rows);
    return "# Accuracy over seeds\n\n"
        + "Top-1 test accuracy (%), mean ± sample standard deviation over seeds. \"best\" is the highest"
        + " evaluation of the run; \"median last " + RunSummary.MEDIAN_WINDOW + "\" is the median of its last "
        + RunSummary.MEDIAN_WINDOW + " evaluations (all of them when fewer). EMA: the evaluation weights;"
        + " raw: the trained weights. \"best EMA 95% CI\": t-based interval of the mean over seeds.\n\n"
        + summary(rows).markdown()
        + (comparisons.isEmpty() ? "" : "\n## Welch's t-test of the best top-1 EMA between algorithms\n\n"
            + "Two-sided, unequal variances, over the seeds of each; with three seeds a side only large"
            + " differences reach p < 0.05.\n\n" + comparisonTable(comparisons).markdown())
        + "\n## Per run\n\n"
        + perRun(rows).markdown();
  }

  /** "3000", or "20-3000" when the seeds ran different numbers of steps. */
  private static String steps(List<RunSummary> runs) {
    long min = runs.stream().mapToLong(RunSummary::steps).min().orElse(0);
    long max = runs.stream().mapToLong(RunSummary::steps).max().orElse(0);
    return min == max ? Long.toString(min) : min + "-" + max;
  }

  private static String pct(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.2f", v) : "n/a";
  }
}

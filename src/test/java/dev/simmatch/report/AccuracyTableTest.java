package dev.simmatch.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.simmatch.UserInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccuracyTableTest {
  @TempDir Path tmp;

  private List<RunSummary> runs() throws Exception {
    List<RunSummary> runs = new ArrayList<>();
    for (long s = 3; s >= 1; s--) {
      runs.add(RunSummary.read(RunFixtures.fixmatch(tmp, s, 25)));
      runs.add(RunSummary.read(RunFixtures.simmatch(tmp, s)));
    }
    runs.add(RunSummary.read(RunFixtures.supervised(tmp, 1)));
    return runs;
  }

  @Test
  void meanSampleStdAndTInterval() {
    double[] v = {2, 4, 4, 4, 5, 5, 7, 9};
    AccuracyTable.Stat s = AccuracyTable.Stat.of(v);
    assertEquals(5, s.mean(), 1e-12);
    assertEquals(Math.sqrt(32.0 / 7), s.std(), 1e-12);
    // t(0.975, 7) = 2.364624251592784 (scipy.stats.t.ppf)
    double half = 2.364624251592784 * Math.sqrt(32.0 / 7) / Math.sqrt(8);
    assertEquals(5 - half, s.ciLow(), 1e-9);
    assertEquals(5 + half, s.ciHigh(), 1e-9);
    AccuracyTable.Stat one = AccuracyTable.Stat.of(new double[] {3});
    assertEquals(3, one.mean(), 0);
    assertTrue(Double.isNaN(one.std()) && Double.isNaN(one.ciLow()));
  }

  @Test
  void welchTestBetweenAlgorithms() throws Exception {
    List<AccuracyTable.Comparison> cs = AccuracyTable.comparisons(AccuracyTable.rows(runs()));
    // supervised has one seed: only fixmatch vs simmatch is tested
    assertEquals(1, cs.size());
    AccuracyTable.Comparison c = cs.get(0);
    assertEquals("fixmatch", c.a().algorithm());
    assertEquals("simmatch", c.b().algorithm());
    // best EMA: fixmatch 91, 92, 93; simmatch 51, 52, 53 -> equal variances 1, t = 40 / sqrt(2/3)
    assertEquals(40, c.difference(), 1e-9);
    assertEquals(40 / Math.sqrt(2.0 / 3), c.t(), 1e-9);
    assertTrue(c.p() < 1e-4, "p " + c.p());
    assertTrue(AccuracyTable.markdown(runs()).contains("| fashion-mnist | 40 | fixmatch | simmatch | +40.00 | 48.99 |"));
  }

  @Test
  void welchPValueAgreesWithScipy() {
    // scipy.stats.ttest_ind([71.89, 68.80, 65.38], [45, 50, 47.69], equal_var=False):
    // statistic 8.91012594516569, pvalue 0.0011715241620745152 (df 3.751)
    double[] x = {71.89, 68.80, 65.38};
    double[] y = {45, 50, 47.69};
    org.apache.commons.math3.stat.inference.TTest test = new org.apache.commons.math3.stat.inference.TTest();
    assertEquals(8.91012594516569, test.t(x, y), 1e-9);
    assertEquals(0.0011715241620745152, test.tTest(x, y), 1e-6);
  }

  @Test
  void meanAndStdOverSeedsOfBestAndMedianOfLast20() throws Exception {
    List<AccuracyTable.Row> rows = AccuracyTable.rows(runs());
    assertEquals(List.of("supervised", "fixmatch", "simmatch"), rows.stream().map(AccuracyTable.Row::algorithm).toList());

    AccuracyTable.Row fix = rows.get(1);
    assertEquals(List.of(1L, 2L, 3L), fix.runs().stream().map(RunSummary::seed).toList());
    // best EMA 90+s (the early spike), best raw 25*s
    assertEquals(92, fix.bestEma().mean(), 1e-9);
    assertEquals(1, fix.bestEma().std(), 1e-9);
    assertEquals(50, fix.bestRaw().mean(), 1e-9);
    assertEquals(25, fix.bestRaw().std(), 1e-9);
    // last 20 of 25 evaluations: 56+s .. 75+s, median 65.5+s; the spike at evaluation 3 is outside the window
    assertEquals(67.5, fix.medianLastEma().mean(), 1e-9);
    assertEquals(1, fix.medianLastEma().std(), 1e-9);

    AccuracyTable.Row sim = rows.get(2);
    assertEquals(52, sim.bestEma().mean(), 1e-9);
    // fewer than 20 evaluations: the median of all five, 30+s
    assertEquals(32, sim.medianLastEma().mean(), 1e-9);
    assertEquals(1, sim.medianLastEma().std(), 1e-9);
    assertEquals(7, sim.bestRaw().mean(), 1e-9);

    AccuracyTable.Row sup = rows.get(0);
    assertEquals(60, sup.bestEma().mean(), 1e-9);
    assertTrue(Double.isNaN(sup.bestEma().std()));
    assertEquals(40, sup.medianLastEma().mean(), 1e-9);
  }

  @Test
  void markdownHasSummaryAndPerRunLines() throws Exception {
    String md = AccuracyTable.markdown(runs());
    assertTrue(md.contains("| fashion-mnist | 40 | fixmatch | 1,2,3 | 2500 | 92.00 ± 1.00 | 50.00 ± 25.00 | 67.50 ± 1.00 |"
        + " [89.52, 94.48] |"), md);
    assertTrue(md.contains("| fashion-mnist | 40 | supervised | 1 | 300 | 60.00 | 45.00 | 40.00 | n/a |"), md);
    assertTrue(md.contains("| simmatch-fashion-mnist-40-s2 | simmatch | 40 | 2 | 500 | 5 | 52.00 | 7.00 | 32.00 |"), md);
    assertEquals(7, md.lines().filter(l -> l.startsWith("| ") && l.contains("-fashion-mnist-40-s")).count(), md);
  }

  @Test
  void unfinishedOrBrokenRunsAreNamed() throws Exception {
    Path dir = RunFixtures.simmatch(tmp, 1);
    Files.delete(dir.resolve("result.json"));
    assertTrue(!RunSummary.isFinished(dir));
    UserInputException e = assertThrows(UserInputException.class, () -> RunSummary.read(dir));
    assertTrue(e.getMessage().contains("result.json"), e.getMessage());

    Path other = RunFixtures.fixmatch(tmp, 1, 3);
    Files.writeString(other.resolve("metrics.csv"), "step,top1_ema\n100,abc\n");
    e = assertThrows(UserInputException.class, () -> RunSummary.read(other));
    assertTrue(e.getMessage().contains("metrics.csv"), e.getMessage());

    // both hold metrics.csv, so both are run directories (sorted by name)
    assertEquals(List.of(other, dir), RunSummary.runDirs(List.of(tmp)));
  }
}

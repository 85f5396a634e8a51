package dev.simmatch.check.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.simmatch.TestPaths;
import dev.simmatch.config.Precision;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The parity check on the repository's WRN-28-2 case passes with the reference optimizer and fails,
 * on the check that names the mistake, with each optimizer mistake that matters in practice.
 */
class ParityCheckerTest {
  private static final ParityChecker.Settings REF = ParityChecker.Settings.REFERENCE;

  private record Outcome(ParityChecker.Report report, String text) {
    Map<String, Boolean> passedByName() {
      return report.checks().stream()
          .collect(Collectors.toMap(ParityChecker.Check::name, ParityChecker.Check::passed, (a, b) -> a && b));
    }

    List<String> failed() {
      return report.checks().stream().filter(c -> !c.passed()).map(ParityChecker.Check::name).toList();
    }
  }

  private static Outcome run(ParityChecker.Settings settings) {
    return run(settings, ParityChecker.Tolerance.DEFAULT, Precision.FLOAT32);
  }

  private static Outcome run(ParityChecker.Settings settings, ParityChecker.Tolerance tolerance, Precision precision) {
    StringWriter text = new StringWriter();
    ParityChecker.Report report =
        new ParityChecker(settings, tolerance, precision, new PrintWriter(text))
            .run(TestPaths.reference().resolve("wrn28_2"));
    return new Outcome(report, text.toString());
  }

  /** The bfloat16 mode runs the mixed-precision network (emulated where the CPU lacks bfloat16). */
  @Test
  void bfloat16NetworkPassesItsOwnToleranceAndMissesTheFloat32One() {
    Outcome o = run(REF, ParityChecker.Tolerance.BFLOAT16, Precision.BFLOAT16);
    assertEquals(0, o.report().failed(), o.text());
    assertTrue(o.text().contains("precision: bfloat16"), o.text());
    ParityChecker.Check logits = o.report().checks().stream()
        .filter(c -> c.name().equals("train logits")).findFirst().orElseThrow();
    assertTrue(logits.maxError() > ParityChecker.Tolerance.DEFAULT.logitsAtol(),
        "bfloat16 rounding shows in the logits: " + o.text());
  }

  @Test
  void bfloat16ToleranceStillCatchesAMissingWeightDecay() {
    Outcome o = run(new ParityChecker.Settings(REF.lr(), REF.momentum(), REF.nesterov(), 0, REF.bnMomentum()),
        ParityChecker.Tolerance.BFLOAT16, Precision.BFLOAT16);
    assertFalse(o.passedByName().get("after 2 steps: rescaling (weight decay)"), o.text());
  }

  @Test
  void referenceOptimizerPassesAndTheRuleIsPrinted() {
    Outcome o = run(REF);
    assertEquals(0, o.report().failed(), o.text());
    assertEquals(9, o.report().checks().size(), o.text());
    assertTrue(o.text().contains("max|w_ref - w_init|"), o.text());
  }

  @Test
  void weightDecayOffOrDoubledFailsTheRescalingCheck() {
    for (double wd : new double[] {0, 2 * REF.weightDecay()}) {
      Outcome o = run(new ParityChecker.Settings(REF.lr(), REF.momentum(), REF.nesterov(), wd, REF.bnMomentum()));
      assertEquals(List.of("after 2 steps: rescaling (weight decay)"), o.failed(), "weight decay " + wd + "\n" + o.text());
    }
  }

  @Test
  void missingNesterovTermFailsTheParameters() {
    Outcome o = run(new ParityChecker.Settings(REF.lr(), REF.momentum(), false, REF.weightDecay(), REF.bnMomentum()));
    assertFalse(o.passedByName().get("after 2 steps: parameters"), o.text());
    assertFalse(o.passedByName().get("step losses"), o.text());
  }

  @Test
  void pytorchDefaultBnMomentumFailsTheRunningStatistics() {
    // PyTorch's default momentum 0.1 (TF 0.9) and 0.01 instead of the reference's 0.001
    for (double m : new double[] {0.9, 0.99}) {
      Outcome o = run(new ParityChecker.Settings(REF.lr(), REF.momentum(), REF.nesterov(), REF.weightDecay(), m));
      assertEquals(List.of("after 2 steps: BN running statistics"), o.failed(), "BN momentum " + m + "\n" + o.text());
    }
  }
}

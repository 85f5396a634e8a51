package dev.simmatch.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.simmatch.GraphTester;
import java.util.Arrays;
import org.apache.commons.math3.distribution.BetaDistribution;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** MixUp (lambda rule, draws, gather), sharpening and the linear ramp, against hand-computed values. */
class ReMixMatchOpsTest {
  private static final float EPS = 1e-6f;

  @Test
  void lambdaIsTheLargerOfTheSampleAndItsComplement() {
    assertEquals(0.7f, MixUp.lambdaOf(0.3), EPS);
    assertEquals(0.8f, MixUp.lambdaOf(0.8), EPS);
    assertEquals(0.5f, MixUp.lambdaOf(0.5), EPS);
    assertEquals(1f, MixUp.lambdaOf(0.0), EPS);
  }

  @Test
  void drawsArePermutationsFixedBySeedAndStep() {
    MixUp.Draw a = MixUp.draw(7, 123, 40, 0.75);
    MixUp.Draw again = MixUp.draw(7, 123, 40, 0.75);
    assertEquals(a.sample(), again.sample());
    assertArrayEquals(a.perm(), again.perm(), "a resumed run repeats the step's draws");
    int[] sorted = a.perm().clone();
    Arrays.sort(sorted);
    for (int i = 0; i < sorted.length; i++) {
      assertEquals(i, sorted[i], "perm is a permutation of 0..N-1");
    }
    assertEquals(MixUp.lambdaOf(a.sample()), a.lambda(), 0f);
    assertTrue(a.lambda() >= 0.5f && a.lambda() <= 1f);
    MixUp.Draw next = MixUp.draw(7, 124, 40, 0.75);
    MixUp.Draw otherSeed = MixUp.draw(8, 123, 40, 0.75);
    assertFalse(Arrays.equals(a.perm(), next.perm()) && a.sample() == next.sample());
    assertFalse(Arrays.equals(a.perm(), otherSeed.perm()) && a.sample() == otherSeed.sample());
    assertThrows(IllegalArgumentException.class, () -> MixUp.draw(1, 0, 4, 0));
  }

  @Test
  void betaSamplesFollowBetaAlphaAlpha() {
    // Beta(0.75, 0.75): mean 1/2, variance 1/(4(2*0.75+1)) = 0.1; lambda = max(l,1-l) has mean
    // 1/2 + E|l - 1/2|, about 0.778 for this Beta (Monte Carlo, 2e6 samples).
    int n = 4000;
    double sum = 0;
    double sq = 0;
    double lam = 0;
    double[] samples = new double[n];
    for (int s = 0; s < n; s++) {
      MixUp.Draw d = MixUp.draw(3, s, 2, 0.75);
      samples[s] = d.sample();
      sum += d.sample();
      sq += d.sample() * d.sample();
      lam += d.lambda();
    }
    double mean = sum / n;
    assertEquals(0.5, mean, 0.02);
    assertEquals(0.1, sq / n - mean * mean, 0.01);
    assertEquals(0.778, lam / n, 0.01);
    // Kolmogorov-Smirnov over consecutive steps: a generator seeded with raw (seed, step) failed
    // this with p ~ 1e-11.
    double p =
        new KolmogorovSmirnovTest().kolmogorovSmirnovTest(new BetaDistribution(0.75, 0.75), samples);
    assertTrue(p > 0.01, "KS p-value " + p);
  }

  @Test
  void mixGathersThePartnerRow() {
    try (GraphTester g = new GraphTester()) {
      Operand<TFloat32> x = g.tf.constant(new float[][] {{1, 0}, {0, 1}, {2, 4}});
      Operand<TFloat32> mixed =
          MixUp.mix(g.tf, x, g.tf.constant(0.75f), g.tf.constant(new int[] {2, 0, 1}));
      // row i = 0.75 x[i] + 0.25 x[perm[i]]
      assertArrayEquals(
          new float[] {0.75f + 0.5f, 1f, 0.25f, 0.75f, 1.5f, 3f + 0.25f}, g.floats(mixed), EPS);
    }
  }

  @Test
  void sharpenRaisesToOneOverTAndRenormalises() {
    try (GraphTester g = new GraphTester()) {
      Operand<TFloat32> p = g.tf.constant(new float[][] {{0.5f, 0.3f, 0.2f}, {0.25f, 0.25f, 0.5f}});
      float[] got = g.floats(Sharpen.of(g.tf, p, 0.5f));
      float a = 0.25f + 0.09f + 0.04f;
      float b = 0.0625f + 0.0625f + 0.25f;
      assertArrayEquals(
          new float[] {0.25f / a, 0.09f / a, 0.04f / a, 0.0625f / b, 0.0625f / b, 0.25f / b}, got, EPS);
      assertArrayEquals(
          new float[] {0.5f, 0.3f, 0.2f, 0.25f, 0.25f, 0.5f}, g.floats(Sharpen.of(g.tf, p, 1f)), EPS);
    }
  }

  @Test
  void rampIsLinearFromZeroAndClippedAtOne() {
    try (GraphTester g = new GraphTester()) {
      double ramp = 46.875; // 1/64 of 3000 steps
      assertEquals(0f, g.scalar(LinearRamp.of(g.tf, g.tf.constant(0L), ramp)), 0f);
      assertEquals((float) (10 / 46.875), g.scalar(LinearRamp.of(g.tf, g.tf.constant(10L), ramp)), EPS);
      assertEquals((float) (46 / 46.875), g.scalar(LinearRamp.of(g.tf, g.tf.constant(46L), ramp)), EPS);
      assertEquals(1f, g.scalar(LinearRamp.of(g.tf, g.tf.constant(47L), ramp)), 0f);
      assertEquals(1f, g.scalar(LinearRamp.of(g.tf, g.tf.constant(1_000_000L), ramp)), 0f);
      assertEquals(0.5f, g.scalar(LinearRamp.of(g.tf, g.tf.constant(8192L), 16384)), 0f);
      assertEquals(1f, g.scalar(LinearRamp.of(g.tf, g.tf.constant(0L), 0)), 0f, "no ramp");
    }
  }
}

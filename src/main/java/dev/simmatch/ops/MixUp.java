package dev.simmatch.ops;

import org.apache.commons.math3.distribution.BetaDistribution;
import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * MixUp with one coefficient and one pairing for a whole batch, as USB's {@code
 * mixup_one_target(..., is_bias=True)}:
 *
 * <pre>
 *   l ~ Beta(alpha, alpha),  lambda = max(l, 1 - l)       (so every row keeps most of itself)
 *   perm = a uniform permutation of the N rows
 *   out[i] = lambda * x[i] + (1 - lambda) * x[perm[i]]      (a gather: row i takes row perm[i])
 * </pre>
 *
 * The draws are made on the host ({@link #draw}) from (run seed, step) alone, so a resumed run mixes
 * exactly as an uninterrupted one; {@link #mix} is the graph op applied to inputs and targets alike.
 */
public final class MixUp {
  /** Keeps MixUp's generator apart from any other seeded stream of the run. */
  private static final long STREAM = 0x4D495855L; // "MIXU"

  private MixUp() {}

  /**
   * One step's draws.
   *
   * @param sample the Beta sample l
   * @param lambda max(l, 1 - l)
   * @param perm [N] a permutation of 0..N-1
   */
  public record Draw(double sample, float lambda, int[] perm) {}

  /**
   * The draws of one step: l from Commons Math's {@link BetaDistribution} and the permutation
   * (Fisher-Yates) from one Well19937c generator seeded with a hash of (seed, step). The hash
   * matters: Well19937c seeded directly with nearby small integers gives correlated first outputs
   * (the Beta samples of consecutive steps averaged 0.595 instead of 0.5).
   *
   * @param rows N, the number of rows mixed
   * @param alpha Beta parameter &gt; 0
   */
  public static Draw draw(long seed, long step, int rows, double alpha) {
    if (!(alpha > 0) || Double.isInfinite(alpha)) {
      throw new IllegalArgumentException("MixUp alpha must be finite and > 0, got " + alpha);
    }
    long a = splitMix(splitMix(seed) + STREAM);
    long b = splitMix(a + step);
    RandomGenerator rng =
        new Well19937c(new int[] {(int) (a >>> 32), (int) a, (int) (b >>> 32), (int) b});
    double l = new BetaDistribution(rng, alpha, alpha).sample();
    int[] perm = new int[rows];
    for (int i = 0; i < rows; i++) {
      perm[i] = i;
    }
    for (int i = rows - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    return new Draw(l, lambdaOf(l), perm);
  }

  /** The SplitMix64 finaliser: a bijection on longs with good avalanche. */
  private static long splitMix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** max(l, 1 - l): the coefficient of a row's own value. */
  public static float lambdaOf(double sample) {
    return (float) Math.max(sample, 1 - sample);
  }

  /**
   * @param x [N,...] rows to mix (images or targets); receives no gradient through the mixing in
   *     USB, and here the inputs are data, so none is needed
   * @param lambda scalar
   * @param perm [N]
   * @return [N,...] lambda * x + (1 - lambda) * x[perm]
   */
  public static Operand<TFloat32> mix(
      Ops tf, Operand<TFloat32> x, Operand<TFloat32> lambda, Operand<TInt32> perm) {
    Operand<TFloat32> partner = tf.gather(x, perm, tf.constant(0));
    return tf.math.add(
        tf.math.mul(lambda, x), tf.math.mul(tf.math.sub(tf.constant(1f), lambda), partner));
  }
}

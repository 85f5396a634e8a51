package dev.simmatch.ops;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;

/**
 * Temperature sharpening of distributions (MixMatch, ReMixMatch): {@code q[b,c] = p[b,c]^(1/T) /
 * sum_c' p[b,c']^(1/T)}. T &lt; 1 sharpens, T = 1 leaves rows as they are. No gradient.
 */
public final class Sharpen {
  private Sharpen() {}

  /**
   * @param p [B,C] rows of non-negative values
   * @param t temperature T &gt; 0
   * @return [B,C] rows summing to 1
   */
  public static Operand<TFloat32> of(Ops tf, Operand<TFloat32> p, float t) {
    Operand<TFloat32> powered = tf.math.pow(tf.stopGradient(p), tf.constant(1f / t));
    return tf.math.div(powered, tf.reduceSum(powered, tf.constant(1), ReduceSum.keepDims(true)));
  }
}

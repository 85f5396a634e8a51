package dev.simmatch.ops;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt64;

/**
 * Linear warm-up weight of a loss term: {@code w = clip(step / rampSteps, 0, 1)} with step the
 * number of steps already taken (0 at the first step), so w = 0 at the first step. rampSteps = 0
 * means no ramp (w = 1).
 */
public final class LinearRamp {
  private LinearRamp() {}

  /**
   * @param step scalar, steps taken before this one
   * @param rampSteps length of the ramp, may be fractional (USB: unsup_warm_up * num_train_iter)
   * @return scalar in [0,1]
   */
  public static Operand<TFloat32> of(Ops tf, Operand<TInt64> step, double rampSteps) {
    if (!(rampSteps > 0)) {
      return tf.constant(1f);
    }
    // float64 for the division: step / 16384 or step / 46.875 exactly as USB's Python floats.
    Operand<TFloat64> ratio =
        tf.math.div(
            tf.dtypes.cast(step, TFloat64.class), tf.constant(rampSteps));
    Operand<TFloat64> clipped =
        tf.math.minimum(tf.math.maximum(ratio, tf.constant(0.0)), tf.constant(1.0));
    return tf.dtypes.cast(clipped, TFloat32.class);
  }
}

package dev.simmatch.model;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * BatchNorm over the rows of a 2-D input [M,D], as Keras computes it for 2-D inputs (the
 * non-fused path that SimCLR's projection head takes): in training mode
 *
 * <pre>
 *   mean = mean_m x[m]        var = mean_m (x[m] - mean)^2      (biased)         [D]
 *   y    = gamma * (x - mean) / sqrt(var + eps) (+ beta when centred)            [M,D]
 *   moving = momentum * moving + (1 - momentum) * batch      (biased var too)
 * </pre>
 *
 * and in inference mode the moving statistics replace the batch ones. Names: {@code
 * name.weight} (gamma), {@code name.bias} (beta, only when centred), {@code name.running_mean},
 * {@code name.running_var}.
 */
public final class BatchNorm1d {
  private final Ops tf;
  private final Params.Entry gamma;
  private final Params.Entry beta;
  private final Params.Entry movingMean;
  private final Params.Entry movingVar;
  private final float eps;
  private final float momentum;

  /** The batch statistics and output of one training-mode application. */
  public record Applied(Operand<TFloat32> y, Operand<TFloat32> batchMean, Operand<TFloat32> batchVar) {}

  /**
   * @param center with a beta (false for SimCLR's last head layer)
   * @param momentum TF convention: weight of the old moving value (official 0.9)
   */
  public BatchNorm1d(Params params, String name, int width, boolean center, float eps, float momentum) {
    this.tf = params.tf();
    this.eps = eps;
    this.momentum = momentum;
    Shape s = Shape.of(width);
    gamma = create(params, name + ".weight", Params.Kind.NO_DECAY, Init.fill(tf, s, 1f));
    beta = center ? create(params, name + ".bias", Params.Kind.NO_DECAY, Init.fill(tf, s, 0f)) : null;
    movingMean = create(params, name + ".running_mean", Params.Kind.STATISTIC, Init.fill(tf, s, 0f));
    movingVar = create(params, name + ".running_var", Params.Kind.STATISTIC, Init.fill(tf, s, 1f));
  }

  private static Params.Entry create(Params params, String name, Params.Kind kind, Operand<TFloat32> init) {
    params.create(name, kind, Params.Layout.SAME, init);
    return params.entry(name);
  }

  /**
   * @param x [M,D]
   * @param updates receives the two moving-statistic assignments in training mode
   */
  public Applied apply(Operand<TFloat32> x, boolean training, List<Op> updates) {
    if (!training) {
      return new Applied(normalize(x, movingMean.read(), movingVar.read()), movingMean.read(), movingVar.read());
    }
    Operand<TFloat32> mean = tf.math.mean(x, tf.constant(0));
    Operand<TFloat32> centred = tf.math.sub(x, mean);
    Operand<TFloat32> var = tf.math.mean(tf.math.square(centred), tf.constant(0));
    updates.add(movingAverage(movingMean, mean));
    updates.add(movingAverage(movingVar, var));
    return new Applied(normalize(x, mean, var), mean, var);
  }

  private Operand<TFloat32> normalize(Operand<TFloat32> x, Operand<TFloat32> mean, Operand<TFloat32> var) {
    Operand<TFloat32> scale = tf.math.mul(gamma.read(), tf.math.rsqrt(tf.math.add(var, tf.constant(eps))));
    Operand<TFloat32> y = tf.math.mul(tf.math.sub(x, mean), scale);
    return beta == null ? y : tf.math.add(y, beta.read());
  }

  private Op movingAverage(Params.Entry moving, Operand<TFloat32> batch) {
    Operand<TFloat32> next =
        tf.math.add(
            tf.math.mul(tf.constant(momentum), moving.read()),
            tf.math.mul(tf.constant(1f - momentum), tf.stopGradient(batch)));
    return tf.assign(moving.variable(), next);
  }
}

package dev.simmatch.train;

import dev.simmatch.UserInputException;
import dev.simmatch.config.Config;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt64;

/**
 * The learning rate as a graph function of the step counter ({@code train.schedule}), computed in
 * float64 and returned as float32:
 *
 * <ul>
 *   <li>{@code cosine}: lr * cos(cycles * pi * step / total) (FixMatch/USB; cycles = 7/16)
 *   <li>{@code warmup-cosine}: lr * step / w for step &lt; w, then lr * 0.5 * (1 + cos(pi * min(step -
 *       w, total - w) / (total - w))) (official SimMatch ImageNet in steps instead of epochs; SimCLR)
 *   <li>{@code constant}: lr
 * </ul>
 */
public final class LearningRate {
  public static final List<String> SCHEDULES = List.of("cosine", "warmup-cosine", "constant");

  private LearningRate() {}

  /** The accepted values of {@code train.lr_scaling}. */
  public static final List<String> SCALINGS = List.of("none", "linear", "sqrt");

  /**
   * The schedule of {@code train.schedule} with train.lr (scaled by train.lr_scaling for {@code
   * batch} images per step), train.steps, train.cosine_cycles, train.warmup_steps.
   */
  public static Operand<TFloat32> build(Ops tf, Operand<TInt64> step, Config.Train cfg, int batch) {
    double lr = scaled(cfg.lr(), batch, cfg.lrScaling());
    return build(tf, step, cfg.schedule(), lr, cfg.steps(), cfg.cosineCycles(), cfg.warmupSteps());
  }

  /**
   * SimCLR's batch scaling ({@code tf2/model.py:92-98}): base * B / 256 ({@code linear}), base *
   * sqrt(B) ({@code sqrt}) or base ({@code none}).
   */
  public static double scaled(double base, int batch, String scaling) {
    return switch (scaling == null ? "" : scaling) {
      case "none" -> base;
      case "linear" -> base * batch / 256.0;
      case "sqrt" -> base * Math.sqrt(batch);
      default -> throw new UserInputException(
          "train.lr_scaling: unknown scaling '" + scaling + "', expected one of " + SCALINGS);
    };
  }

  /**
   * SimCLR's step counts from epochs ({@code tf2/model.py:72-75, 100-101}): warm-up {@code
   * round(floor(warmupEpochs * examples / batch))}, total {@code trainSteps} if positive, else
   * {@code examples * epochs // batch + 1}.
   *
   * @return {warmup steps, total steps}
   */
  public static long[] simclrSteps(long examples, int batch, double warmupEpochs, long epochs, long trainSteps) {
    long warmup = Math.round(Math.floor(warmupEpochs * examples / batch));
    long total = trainSteps > 0 ? trainSteps : examples * epochs / batch + 1;
    return new long[] {warmup, total};
  }

  /**
   * @param step scalar step counter (0 at the first step)
   * @throws UserInputException for an unknown schedule or a warm-up not shorter than training
   */
  public static Operand<TFloat32> build(
      Ops tf, Operand<TInt64> step, String schedule, double lr, long total, double cycles, long warmup) {
    if (total < 1) {
      throw new UserInputException("train.steps must be positive, got " + total);
    }
    Operand<TFloat64> s = tf.dtypes.cast(step, TFloat64.class);
    Operand<TFloat64> base = tf.constant(lr);
    Operand<TFloat64> value =
        switch (schedule == null ? "" : schedule) {
          case "constant" -> base;
          case "cosine" -> tf.math.mul(base, tf.math.cos(tf.math.mul(s, tf.constant(cycles * Math.PI / total))));
          case "warmup-cosine" -> {
            if (warmup < 0 || warmup >= total) {
              throw new UserInputException(
                  "train.warmup_steps must be in [0, train.steps), got " + warmup + " with train.steps " + total);
            }
            Operand<TFloat64> ramp = tf.math.mul(base, tf.math.div(s, tf.constant((double) Math.max(warmup, 1))));
            // min(step - w, total - w): the rate stays 0 past the end, as tf.train.cosine_decay
            Operand<TFloat64> progress =
                tf.math.div(
                    tf.math.minimum(tf.math.sub(s, tf.constant((double) warmup)), tf.constant((double) (total - warmup))),
                    tf.constant((double) (total - warmup)));
            Operand<TFloat64> cosine =
                tf.math.mul(
                    tf.constant(0.5 * lr),
                    tf.math.add(tf.constant(1.0), tf.math.cos(tf.math.mul(progress, tf.constant(Math.PI)))));
            yield tf.select(tf.math.less(s, tf.constant((double) warmup)), ramp, cosine);
          }
          default -> throw new UserInputException(
              "train.schedule: unknown schedule '" + schedule + "', expected one of " + SCHEDULES);
        };
    return tf.dtypes.cast(value, TFloat32.class);
  }
}

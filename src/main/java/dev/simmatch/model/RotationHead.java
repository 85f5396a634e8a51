package dev.simmatch.model;

import dev.simmatch.config.Precision;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TFloat32;

/**
 * ReMixMatch's rotation classifier, USB's {@code rot_classifier = Linear(features, 4)}: logits
 * [N,4] over 0/90/180/270 degrees from the pooled features [N,D]. It lives only in the training
 * graph of the algorithms that need it; the serving graph has no such variables.
 *
 * <p>Initialised as PyTorch's default Linear (USB never calls its own init): weight and bias
 * U(-1/sqrt(D), 1/sqrt(D)). The weight takes weight decay, the bias does not.
 */
public final class RotationHead {
  /** PyTorch name prefix of the head's variables. */
  public static final String NAME = "rot_classifier";

  public static final int ROTATIONS = 4;

  private final Ops tf;
  private final Operand<TFloat32> weight;
  private final Operand<TFloat32> bias;
  private final boolean bfloat16;

  /**
   * @param params the network's variable store (online or EMA copy: same names, same init)
   * @param features D
   */
  public RotationHead(Params params, long seed, int features) {
    this.tf = params.tf();
    this.bfloat16 = params.precision() == Precision.BFLOAT16;
    double bound = 1 / Math.sqrt(features);
    String w = NAME + ".weight";
    String b = NAME + ".bias";
    weight =
        params.create(
            w, Params.Kind.WEIGHT, Params.Layout.LINEAR_IO,
            Init.uniform(tf, seed, w, Shape.of(features, ROTATIONS), bound));
    bias =
        params.create(
            b, Params.Kind.NO_DECAY, Params.Layout.SAME,
            Init.uniform(tf, seed, b, Shape.of(ROTATIONS), bound));
  }

  /** @param features [N,D] -> logits [N,4]; the product in bfloat16 under mixed precision, as {@link Linear} */
  public Operand<TFloat32> apply(Operand<TFloat32> features) {
    Operand<TFloat32> product =
        bfloat16
            ? tf.dtypes.cast(
                tf.linalg.matMul(tf.dtypes.cast(features, TBfloat16.class), tf.dtypes.cast(weight, TBfloat16.class)),
                TFloat32.class)
            : tf.linalg.matMul(features, weight);
    return tf.math.add(product, bias);
  }
}

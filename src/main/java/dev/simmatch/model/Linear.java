package dev.simmatch.model;

import dev.simmatch.config.Precision;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TFloat32;

/**
 * y = x W + b with {@code name.weight} [in,out] (PyTorch [out,in]) and {@code name.bias} [out].
 * With bfloat16 {@link Params#precision} the product x W runs in bfloat16 and is cast back to
 * float32 before the bias is added.
 */
final class Linear {
  private final Ops tf;
  private final Operand<TFloat32> weight;
  private final Operand<TFloat32> bias;
  private final boolean bfloat16;

  Linear(Params params, long seed, String name, int in, int out) {
    this.tf = params.tf();
    this.bfloat16 = params.precision() == Precision.BFLOAT16;
    String w = name + ".weight";
    weight = params.create(w, Params.Kind.WEIGHT, Params.Layout.LINEAR_IO, Init.xavier(tf, seed, w, Shape.of(in, out)));
    bias = params.create(name + ".bias", Params.Kind.NO_DECAY, Params.Layout.SAME, Init.fill(tf, Shape.of(out), 0f));
  }

  /** @param x [N,in] -> [N,out] */
  Operand<TFloat32> apply(Operand<TFloat32> x) {
    Operand<TFloat32> product =
        bfloat16
            ? tf.dtypes.cast(
                tf.linalg.matMul(tf.dtypes.cast(x, TBfloat16.class), tf.dtypes.cast(weight, TBfloat16.class)),
                TFloat32.class)
            : tf.linalg.matMul(x, weight);
    return tf.math.add(product, bias);
  }
}

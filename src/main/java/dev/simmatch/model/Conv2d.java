package dev.simmatch.model;

import dev.simmatch.config.Precision;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TNumber;

/**
 * A k x k convolution over NHWC images with PyTorch's symmetric zero padding of (k-1)/2 per side.
 * Variables: {@code name.weight} [k,k,in,out] (HWIO) and, if requested, {@code name.bias} [out].
 * With bfloat16 {@link Params#precision} the input and kernel are cast to bfloat16, the convolution
 * runs in bfloat16 and its output is cast back to float32 (mixed precision). A convolution with an
 * odd number of input channels stays float32: on CPUs with AVX512-BF16 but no AMX, TensorFlow 2.18's
 * oneDNN bfloat16 convolution returns garbage (NaN, 1e38) for odd channel counts above 1 at stride 1
 * (measured on an AMD EPYC with 3, 5, 7, 9 and 11 channels). These are the RGB stem convolutions,
 * a small share of the work.
 */
final class Conv2d {
  private final Ops tf;
  private final Operand<TFloat32> weight;
  private final Operand<TFloat32> bias;
  private final int kernel;
  private final int stride;
  private final boolean bfloat16;

  Conv2d(Params params, long seed, String name, int kernel, int in, int out, int stride, boolean bias) {
    this.tf = params.tf();
    this.kernel = kernel;
    this.stride = stride;
    this.bfloat16 = params.precision() == Precision.BFLOAT16 && in % 2 == 0;
    Shape shape = Shape.of(kernel, kernel, in, out);
    String w = name + ".weight";
    this.weight =
        params.create(w, Params.Kind.WEIGHT, Params.Layout.CONV_HWIO, Init.kaimingFanOut(tf, seed, w, shape));
    this.bias =
        bias
            ? params.create(name + ".bias", Params.Kind.NO_DECAY, Params.Layout.SAME, Init.fill(tf, Shape.of(out), 0f))
            : null;
  }

  Operand<TFloat32> apply(Operand<TFloat32> x) {
    Operand<TFloat32> y;
    if (bfloat16) {
      Operand<TBfloat16> xb = tf.dtypes.cast(x, TBfloat16.class);
      Operand<TBfloat16> padded = needsPadding() ? tf.pad(xb, paddings(), tf.dtypes.cast(tf.constant(0f), TBfloat16.class)) : xb;
      y = tf.dtypes.cast(convolve(padded, tf.dtypes.cast(weight, TBfloat16.class)), TFloat32.class);
    } else {
      Operand<TFloat32> padded = needsPadding() ? tf.pad(x, paddings(), tf.constant(0f)) : x;
      y = convolve(padded, weight);
    }
    return bias == null ? y : tf.math.add(y, bias);
  }

  /**
   * Stride 1 with an odd k: SAME equals symmetric padding; 1x1 kernels need none. Otherwise TF's
   * SAME would pad the bottom/right more when the size is even, while PyTorch pads both sides equally.
   */
  private boolean needsPadding() {
    return !(stride == 1 || kernel == 1);
  }

  private Operand<TInt32> paddings() {
    int p = (kernel - 1) / 2;
    return tf.constant(new int[][] {{0, 0}, {p, p}, {p, p}, {0, 0}});
  }

  private <T extends TNumber> Operand<T> convolve(Operand<T> x, Operand<T> w) {
    List<Long> strides = Arrays.stream(new long[] {1, stride, stride, 1}).boxed().toList();
    String padding = needsPadding() || kernel == 1 ? "VALID" : "SAME";
    return tf.nn.conv2d(x, w, strides, padding);
  }
}

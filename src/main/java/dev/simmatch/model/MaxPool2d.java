package dev.simmatch.model;

import org.tensorflow.Operand;
import org.tensorflow.op.Scope;
import org.tensorflow.types.TFloat32;

/**
 * Max pooling over NHWC with the window and stride as attributes (TensorFlow's {@code MaxPool}).
 * TF Java's {@code tf.nn.maxPool} builds {@code MaxPoolV2}, whose window is a tensor operand:
 * oneDNN does not take that form over, and its gradient runs on the slow generic kernel.
 */
final class MaxPool2d {
  private MaxPool2d() {}

  /**
   * @param x [N,H,W,C]
   * @return [N,H',W',C] with H' = (H - window) / stride + 1 for "VALID", ceil(H / stride) for "SAME"
   */
  static Operand<TFloat32> apply(Scope scope, Operand<TFloat32> x, int window, int stride, String padding) {
    return scope.opBuilder("MaxPool", "MaxPool")
        .addInput(x.asOutput())
        .setAttr("ksize", new long[] {1, window, window, 1})
        .setAttr("strides", new long[] {1, stride, stride, 1})
        .setAttr("padding", padding)
        .setAttr("data_format", "NHWC")
        .build()
        .<TFloat32>output(0);
  }
}

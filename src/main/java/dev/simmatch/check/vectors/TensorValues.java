package dev.simmatch.check.vectors;

import org.tensorflow.op.core.Placeholder;

import org.tensorflow.op.Ops;

import org.tensorflow.Operand;

import java.util.Map;

import dev.simmatch.io.VectorFile;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** Conversions between vector-file arrays and tensors. The caller closes the tensors. */
final class TensorValues {
  private TensorValues() {}

  /** A float placeholder named after the vector's input {@code name}, its tensor added to {@code feeds}. */
  static Placeholder<TFloat32> input(
      Ops tf, VectorFile file, Map<Operand<?>, Tensor> feeds, String name, long... shape) {
    Placeholder<TFloat32> p = tf.withName(name).placeholder(TFloat32.class, Placeholder.shape(Shape.of(shape)));
    feeds.put(p, floats(file.input(name, shape)));
    return p;
  }

  static TFloat32 floats(VectorFile.Nd nd) {
    return TFloat32.tensorOf(Shape.of(nd.shape()), DataBuffers.of(nd.floats(), true, false));
  }

  static TFloat32 floats(float[] values, long... shape) {
    return TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(values, true, false));
  }

  static TInt32 ints(VectorFile.Nd nd) {
    return TInt32.tensorOf(Shape.of(nd.shape()), DataBuffers.of(nd.ints(), true, false));
  }

  /** Row-major values of a float or int tensor. */
  static double[] values(Tensor t) {
    int n = Math.toIntExact(t.shape().size());
    double[] out = new double[n];
    if (t instanceof TFloat32 f) {
      float[] buf = new float[n];
      f.copyTo(DataBuffers.of(buf, false, false));
      for (int i = 0; i < n; i++) {
        out[i] = buf[i];
      }
    } else if (t instanceof TInt32 x) {
      int[] buf = new int[n];
      x.copyTo(DataBuffers.of(buf, false, false));
      for (int i = 0; i < n; i++) {
        out[i] = buf[i];
      }
    } else {
      throw new IllegalArgumentException("unsupported tensor type " + t.dataType());
    }
    return out;
  }
}

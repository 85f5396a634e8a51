package dev.simmatch.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.simmatch.GraphTester;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

class MaxPool2dTest {
  /** One 4x4 channel, values 0..15 permuted so that each 2x2 window has its maximum elsewhere. */
  private static final float[] IMAGE = {
    3, 12, 1, 0,
    7, 5, 14, 9,
    15, 2, 4, 6,
    8, 11, 10, 13
  };

  @Test
  void windowMaximaAndGradientToTheArgmaxOnly() {
    try (GraphTester t = new GraphTester()) {
      Operand<TFloat32> x = t.tf.constant(Shape.of(1, 4, 4, 1), DataBuffers.of(IMAGE));
      Operand<TFloat32> y = MaxPool2d.apply(t.tf.scope(), x, 2, 2, "VALID");
      assertArrayEquals(new float[] {12, 14, 15, 13}, t.floats(y));
      // d(sum_i w_i * y_i)/dx puts w_i on the window's maximum and 0 elsewhere.
      Operand<TFloat32> weighted =
          t.tf.reduceSum(t.tf.math.mul(y, t.tf.constant(new float[][][][] {{{{1}, {2}}, {{3}, {4}}}})),
              t.tf.constant(new int[] {0, 1, 2, 3}));
      Output<?>[] grad = t.graph.addGradients(weighted.asOutput(), new Output<?>[] {x.asOutput()});
      @SuppressWarnings("unchecked")
      float[] g = t.floats((Output<TFloat32>) grad[0]);
      assertArrayEquals(new float[] {
        0, 1, 0, 0,
        0, 0, 2, 0,
        3, 0, 0, 0,
        0, 0, 0, 4
      }, g);
    }
  }

  @Test
  void overlappingWindowsWithStrideTwo() {
    try (GraphTester t = new GraphTester()) {
      Operand<TFloat32> x = t.tf.constant(Shape.of(1, 4, 4, 1), DataBuffers.of(IMAGE));
      Operand<TFloat32> y = MaxPool2d.apply(t.tf.scope(), x, 3, 2, "VALID");
      // (4 - 3) / 2 + 1 = 1 window per axis: the top-left 3x3 block.
      assertEquals(Shape.of(1, 1, 1, 1), y.shape());
      assertArrayEquals(new float[] {15}, t.floats(y));
    }
  }
}

package dev.simmatch.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.simmatch.GraphTester;
import dev.simmatch.config.Precision;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;

/**
 * A mixed-precision convolution agrees with the float32 one to bfloat16 rounding for every input
 * channel count, odd ones included (where oneDNN's bfloat16 kernel fails on AVX512-BF16 CPUs
 * without AMX), and the even ones really run in bfloat16.
 */
class Conv2dBfloat16Test {
  @ParameterizedTest
  @ValueSource(ints = {1, 3, 4, 5, 16})
  void matchesFloat32WithinBfloat16Rounding(int in) {
    int batch = 8, size = 32, out = 16;
    float[] x = new float[batch * size * size * in];
    Random r = new Random(in);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    try (GraphTester t = new GraphTester()) {
      Operand<TFloat32> input = t.tf.constant(Shape.of(batch, size, size, in), DataBuffers.of(x));
      Operand<TFloat32> f32 = new Conv2d(new Params(t.tf, "f/", Precision.FLOAT32), 7, "conv", 3, in, out, 1, false).apply(input);
      Operand<TFloat32> bf16 = new Conv2d(new Params(t.tf, "b/", Precision.BFLOAT16), 7, "conv", 3, in, out, 1, false).apply(input);
      float[] want = t.floats(f32);
      float[] got = t.floats(bf16);
      double maxWant = 0, maxErr = 0;
      for (int i = 0; i < want.length; i++) {
        maxWant = Math.max(maxWant, Math.abs(want[i]));
        maxErr = Math.max(maxErr, Math.abs(got[i] - want[i]));
      }
      assertTrue(maxWant > 0.1, "the reference convolution is not trivially zero: " + maxWant);
      // Input, kernel and output each rounded to 8 significant bits: about 3 * 2^-8 of the output's scale.
      assertTrue(maxErr <= 1.5e-2 * maxWant, in + " input channels: max |bf16 - f32| " + maxErr + " of max " + maxWant);

      List<DataType> convTypes = new ArrayList<>();
      t.graph.operations().forEachRemaining(op -> {
        if (op.type().equals("Conv2D")) {
          convTypes.add(op.output(0).dataType());
        }
      });
      DataType mixed = in % 2 == 0 ? DataType.DT_BFLOAT16 : DataType.DT_FLOAT;
      assertEquals(List.of(DataType.DT_FLOAT, mixed), convTypes.stream().sorted().toList(), in + " input channels");
    }
  }
}

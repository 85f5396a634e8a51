package dev.simmatch.model;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Deterministic initial values built from stateless random ops. The seed pair is (run seed, hash
 * of the PyTorch parameter name), so a value depends only on the seed and the name: the online
 * network and its EMA copy start equal, and adding a layer does not shift the others.
 */
final class Init {
  private Init() {}

  /** N(0, std^2) of the given shape. */
  static Operand<TFloat32> normal(Ops tf, long seed, String name, Shape shape, double std) {
    Operand<TFloat32> unit =
        tf.random.statelessRandomNormal(
            tf.constant(shape.asArray()), tf.constant(new long[] {seed, name.hashCode()}));
    return tf.math.mul(unit, tf.constant((float) std));
  }

  /**
   * Kaiming normal, fan_out mode, leaky_relu gain with PyTorch's default slope 0 (so gain sqrt 2):
   * std = sqrt(2 / (out * kh * kw)) for an HWIO kernel [kh,kw,in,out].
   */
  static Operand<TFloat32> kaimingFanOut(Ops tf, long seed, String name, Shape hwio) {
    long fanOut = hwio.get(0) * hwio.get(1) * hwio.get(3);
    return normal(tf, seed, name, hwio, Math.sqrt(2.0 / fanOut));
  }

  /** Xavier (Glorot) normal for an [in,out] matrix: std = sqrt(2 / (in + out)). */
  static Operand<TFloat32> xavier(Ops tf, long seed, String name, Shape io) {
    return normal(tf, seed, name, io, Math.sqrt(2.0 / (io.get(0) + io.get(1))));
  }

  /** U(-bound, bound) of the given shape. */
  static Operand<TFloat32> uniform(Ops tf, long seed, String name, Shape shape, double bound) {
    Operand<TFloat32> unit =
        tf.random.statelessRandomUniform(
            tf.constant(shape.asArray()), tf.constant(new long[] {seed, name.hashCode()}));
    return tf.math.mul(tf.math.sub(tf.math.mul(unit, tf.constant(2f)), tf.constant(1f)), tf.constant((float) bound));
  }

  static Operand<TFloat32> fill(Ops tf, Shape shape, float value) {
    return tf.fill(tf.constant(shape.asArray()), tf.constant(value));
  }
}

package dev.simmatch.model;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.nn.LeakyRelu;
import org.tensorflow.types.TFloat32;

/**
 * WideResNet-depth-k as defined by USB (algorithms.md): conv3x3(16, with bias), three groups of
 * (depth-4)/6 pre-activation basic units of widths 16k, 32k, 64k (strides 1, 2, 2), BN(eps 1e-3),
 * LeakyReLU(0.1), global average pool, Linear(64k -> C), plus the projection head. Parameter
 * names are the USB state_dict names under {@code backbone.}.
 */
final class WideResNet implements Network {
  private static final float LEAK = 0.1f;
  private static final float EPS = 1e-5f;
  private static final float FINAL_EPS = 1e-3f;

  private final Params params;
  private final Ops tf;
  private final int numClasses;
  private final Conv2d stem;
  private final List<Unit> units = new ArrayList<>();
  private final BatchNorm finalBn;
  private final OutputHeads heads;

  WideResNet(Params params, int depth, int widen, int numClasses, int channels, HeadSpec head, float bnMomentum, long seed) {
    if (depth < 10 || (depth - 4) % 6 != 0 || widen < 1) {
      throw new IllegalArgumentException("WideResNet depth must be 6n+4 (n >= 1) and widen >= 1, got " + depth + "/" + widen);
    }
    this.params = params;
    this.tf = params.tf();
    this.numClasses = numClasses;
    int n = (depth - 4) / 6;
    int[] widths = {16, 16 * widen, 32 * widen, 64 * widen};
    int[] strides = {1, 2, 2};
    stem = new Conv2d(params, seed, "backbone.conv1", 3, channels, widths[0], 1, true);
    for (int g = 0; g < 3; g++) {
      for (int i = 0; i < n; i++) {
        int in = i == 0 ? widths[g] : widths[g + 1];
        String name = "backbone.block" + (g + 1) + ".layer." + i;
        units.add(new Unit(name, in, widths[g + 1], i == 0 ? strides[g] : 1, g == 0, bnMomentum, seed));
      }
    }
    finalBn = new BatchNorm(params, "backbone.bn1", widths[3], FINAL_EPS, bnMomentum);
    heads = new OutputHeads(params, seed, "backbone.classifier", widths[3], numClasses, head);
  }

  /** One pre-activation basic unit. */
  private final class Unit {
    final BatchNorm bn1;
    final Conv2d conv1;
    final BatchNorm bn2;
    final Conv2d conv2;
    final Conv2d shortcut;
    final boolean activateBeforeResidual;

    Unit(String name, int in, int out, int stride, boolean activateBeforeResidual, float m, long seed) {
      this.activateBeforeResidual = activateBeforeResidual;
      bn1 = new BatchNorm(params, name + ".bn1", in, EPS, m);
      conv1 = new Conv2d(params, seed, name + ".conv1", 3, in, out, stride, false);
      bn2 = new BatchNorm(params, name + ".bn2", out, EPS, m);
      conv2 = new Conv2d(params, seed, name + ".conv2", 3, out, out, 1, false);
      shortcut = in == out ? null : new Conv2d(params, seed, name + ".convShortcut", 1, in, out, stride, false);
    }

    Operand<TFloat32> apply(Operand<TFloat32> x, boolean training, List<Op> updates) {
      Operand<TFloat32> a;
      Operand<TFloat32> residual;
      if (shortcut == null) {
        a = act(bn1.apply(x, training, updates));
        residual = x;
      } else if (activateBeforeResidual) {
        Operand<TFloat32> activated = act(bn1.apply(x, training, updates));
        a = activated;
        residual = shortcut.apply(activated);
      } else {
        if (training) {
          // USB computes bn1 here and discards it; only its running-statistic update survives.
          bn1.apply(x, true, updates);
        }
        a = x;
        residual = shortcut.apply(x);
      }
      Operand<TFloat32> out = conv2.apply(act(bn2.apply(conv1.apply(a), training, updates)));
      return tf.math.add(residual, out);
    }
  }

  private Operand<TFloat32> act(Operand<TFloat32> x) {
    return tf.nn.leakyRelu(x, LeakyRelu.alpha(LEAK));
  }

  @Override
  public Outputs forward(Operand<TFloat32> images, boolean training) {
    List<Op> updates = new ArrayList<>();
    Operand<TFloat32> x = stem.apply(images);
    for (Unit u : units) {
      x = u.apply(x, training, updates);
    }
    x = act(finalBn.apply(x, training, updates));
    return heads.apply(x, training, updates);
  }

  @Override
  public Params params() {
    return params;
  }

  @Override
  public int numClasses() {
    return numClasses;
  }
}

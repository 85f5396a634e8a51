package dev.simmatch.model;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.nn.LeakyRelu;
import org.tensorflow.types.TFloat32;

/**
 * The small CNN for fast CPU runs (algorithms.md, "cnn-small"):
 * [conv3x3(32)-BN-LReLU] x2, maxpool 2, [conv3x3(64)-BN-LReLU] x2, maxpool 2,
 * conv3x3(128)-BN-LReLU, global average pool (128 features), classifier Linear(128->C), and the
 * projection head. Convolutions are 'same' padded and bias-free. Names: {@code backbone.conv1..5},
 * {@code backbone.bn1..5}, {@code backbone.classifier}, {@code mlp_proj.0/2}.
 */
final class CnnSmall implements Network {
  static final int FEATURES = 128;
  private static final int[] WIDTHS = {32, 32, 64, 64, FEATURES};
  private static final float LEAK = 0.1f;
  private static final float EPS = 1e-5f;

  private final Params params;
  private final Ops tf;
  private final int numClasses;
  private final List<Conv2d> convs = new ArrayList<>();
  private final List<BatchNorm> bns = new ArrayList<>();
  private final OutputHeads heads;

  CnnSmall(Params params, int numClasses, int channels, HeadSpec head, float bnMomentum, long seed) {
    this.params = params;
    this.tf = params.tf();
    this.numClasses = numClasses;
    int in = channels;
    for (int i = 0; i < WIDTHS.length; i++) {
      String n = "backbone.conv" + (i + 1);
      convs.add(new Conv2d(params, seed, n, 3, in, WIDTHS[i], 1, false));
      bns.add(new BatchNorm(params, "backbone.bn" + (i + 1), WIDTHS[i], EPS, bnMomentum));
      in = WIDTHS[i];
    }
    heads = new OutputHeads(params, seed, "backbone.classifier", FEATURES, numClasses, head);
  }

  @Override
  public Outputs forward(Operand<TFloat32> images, boolean training) {
    List<Op> updates = new ArrayList<>();
    Operand<TFloat32> x = images;
    for (int i = 0; i < convs.size(); i++) {
      x = convs.get(i).apply(x);
      x = tf.nn.leakyRelu(bns.get(i).apply(x, training, updates), LeakyRelu.alpha(LEAK));
      if (i == 1 || i == 3) {
        x = MaxPool2d.apply(tf.scope(), x, 2, 2, "VALID");
      }
    }
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

package dev.simmatch.model;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * ResNet-50 in the torchvision layout (v1.5: the stride sits on the 3x3 convolution of a
 * bottleneck) used by the official SimMatch ImageNet code: conv7x7/2 - BN - ReLU - maxpool3x3/2,
 * bottleneck stages of 3, 4, 6, 3 blocks (widths 64..512, expansion 4), global average pool
 * (2048 features), Linear(2048 -> C), plus the projection head (2048 -> 2048 -> P). Names are the
 * torchvision ones under {@code backbone.} (classifier {@code backbone.fc}).
 */
final class ResNet50 implements Network {
  static final int FEATURES = 2048;
  private static final int[] BLOCKS = {3, 4, 6, 3};
  private static final int[] WIDTHS = {64, 128, 256, 512};
  private static final int EXPANSION = 4;
  private static final float EPS = 1e-5f;

  private final Params params;
  private final Ops tf;
  private final int numClasses;
  private final Conv2d stem;
  private final BatchNorm stemBn;
  private final List<Bottleneck> blocks = new ArrayList<>();
  private final OutputHeads heads;

  ResNet50(Params params, int numClasses, int channels, HeadSpec head, float bnMomentum, long seed) {
    this.params = params;
    this.tf = params.tf();
    this.numClasses = numClasses;
    stem = new Conv2d(params, seed, "backbone.conv1", 7, channels, 64, 2, false);
    stemBn = new BatchNorm(params, "backbone.bn1", 64, EPS, bnMomentum);
    int in = 64;
    for (int s = 0; s < BLOCKS.length; s++) {
      for (int b = 0; b < BLOCKS[s]; b++) {
        int stride = (b == 0 && s > 0) ? 2 : 1;
        String name = "backbone.layer" + (s + 1) + "." + b;
        blocks.add(new Bottleneck(name, in, WIDTHS[s], stride, bnMomentum, seed));
        in = WIDTHS[s] * EXPANSION;
      }
    }
    heads = new OutputHeads(params, seed, "backbone.fc", FEATURES, numClasses, head);
  }

  /** conv1x1 - BN - ReLU - conv3x3(stride) - BN - ReLU - conv1x1 - BN, plus the shortcut, then ReLU. */
  private final class Bottleneck {
    final Conv2d conv1;
    final BatchNorm bn1;
    final Conv2d conv2;
    final BatchNorm bn2;
    final Conv2d conv3;
    final BatchNorm bn3;
    final Conv2d downsample;
    final BatchNorm downsampleBn;

    Bottleneck(String name, int in, int width, int stride, float m, long seed) {
      int out = width * EXPANSION;
      conv1 = new Conv2d(params, seed, name + ".conv1", 1, in, width, 1, false);
      bn1 = new BatchNorm(params, name + ".bn1", width, EPS, m);
      conv2 = new Conv2d(params, seed, name + ".conv2", 3, width, width, stride, false);
      bn2 = new BatchNorm(params, name + ".bn2", width, EPS, m);
      conv3 = new Conv2d(params, seed, name + ".conv3", 1, width, out, 1, false);
      bn3 = new BatchNorm(params, name + ".bn3", out, EPS, m);
      boolean project = stride != 1 || in != out;
      downsample = project ? new Conv2d(params, seed, name + ".downsample.0", 1, in, out, stride, false) : null;
      downsampleBn = project ? new BatchNorm(params, name + ".downsample.1", out, EPS, m) : null;
    }

    Operand<TFloat32> apply(Operand<TFloat32> x, boolean training, List<Op> updates) {
      Operand<TFloat32> y = tf.nn.relu(bn1.apply(conv1.apply(x), training, updates));
      y = tf.nn.relu(bn2.apply(conv2.apply(y), training, updates));
      y = bn3.apply(conv3.apply(y), training, updates);
      Operand<TFloat32> identity =
          downsample == null ? x : downsampleBn.apply(downsample.apply(x), training, updates);
      return tf.nn.relu(tf.math.add(y, identity));
    }
  }

  @Override
  public Outputs forward(Operand<TFloat32> images, boolean training) {
    List<Op> updates = new ArrayList<>();
    Operand<TFloat32> x = tf.nn.relu(stemBn.apply(stem.apply(images), training, updates));
    // Max pool 3x3/2 with PyTorch's padding of 1: after the ReLU every value is >= 0, so zero padding
    // cannot win the max and equals PyTorch's -inf padding.
    x = tf.pad(x, tf.constant(new int[][] {{0, 0}, {1, 1}, {1, 1}, {0, 0}}), tf.constant(0f));
    x = MaxPool2d.apply(tf.scope(), x, 3, 2, "VALID");
    for (Bottleneck b : blocks) {
      x = b.apply(x, training, updates);
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

package dev.simmatch.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.simmatch.config.Config;
import dev.simmatch.config.ConfigLoader;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.DeviceSpec;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

/** Row bookkeeping of {@link ReplicatedNetwork}: splitting parts, reassembly, DDP's BN shuffle. */
class ReplicatedNetworkTest {
  private static final int H = 8;

  private static float[] fetch(Session s, Operand<TFloat32> t) {
    try (Result r = s.runner().fetch(t).run()) {
      TFloat32 v = (TFloat32) r.get(0);
      float[] out = new float[(int) v.shape().size()];
      v.asRawTensor().data().asFloats().read(out);
      return out;
    }
  }

  private static Operand<TFloat32> images(Ops tf, int n, long seed) {
    Random rnd = new Random(seed);
    float[] v = new float[n * H * H];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) rnd.nextGaussian();
    }
    return tf.constant(Shape.of(n, H, H, 1), DataBuffers.of(v));
  }

  @Test
  void replicasSeeTheirShareOfEveryPartAndOutputsKeepThePartOrder() {
    Config.Model m = ConfigLoader.load(null, List.of("model.proj_dim=4")).model();
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Network base = Networks.create(new Params(tf, ""), "cnn-small", 3, 1, m, 1);
      List<DeviceSpec> devices = List.of(
          DeviceSpec.newBuilder().deviceType(DeviceSpec.DeviceType.CPU).deviceIndex(0).build(),
          DeviceSpec.newBuilder().deviceType(DeviceSpec.DeviceType.CPU).deviceIndex(1).build());
      ReplicatedNetwork rep = ReplicatedNetwork.of(tf, base, devices, "cnn-small", 3, 1, m, 1);
      Operand<TFloat32> a = images(tf, 4, 1);
      Operand<TFloat32> b = images(tf, 6, 2);
      Network.Outputs parts = rep.forwardParts(List.of(a, b), true);
      // Replica 0 = rows 0-1 of a and 0-2 of b, in one BN batch.
      Network.Outputs zero = base.forward(tf.concat(List.of(
          tf.gather(a, tf.constant(new int[] {0, 1}), tf.constant(0)),
          tf.gather(b, tf.constant(new int[] {0, 1, 2}), tf.constant(0))), tf.constant(0)), true);
      Network.Outputs inference = base.forward(tf.concat(List.of(a, b), tf.constant(0)), false);
      Network.Outputs shuffledInference = rep.forwardShuffled(List.of(a, b), false, tf.constant(5L));
      Network.Outputs shuffled = rep.forwardShuffled(List.of(a, b), true, tf.constant(5L));
      Network.Outputs unshuffled = rep.forwardParts(List.of(tf.concat(List.of(a, b), tf.constant(0))), true);
      assertEquals(2, rep.size());
      try (Session s = new Session(g, ConfigProto.newBuilder().putDeviceCount("CPU", 2).build())) {
        s.initialize();
        float[] got = fetch(s, parts.logits());
        float[] want0 = fetch(s, zero.logits());
        assertEquals(10 * 3, got.length);
        // rows 0-1 (a's share of replica 0) and rows 4-6 (b's share of replica 0)
        assertArrayEquals(java.util.Arrays.copyOfRange(want0, 0, 6), java.util.Arrays.copyOfRange(got, 0, 6), 1e-5f);
        assertArrayEquals(java.util.Arrays.copyOfRange(want0, 6, 15), java.util.Arrays.copyOfRange(got, 12, 21), 1e-5f);
        // Inference BN uses running statistics: the shuffle must be undone row by row.
        assertArrayEquals(fetch(s, inference.logits()), fetch(s, shuffledInference.logits()), 1e-5f);
        assertArrayEquals(fetch(s, inference.embedding()), fetch(s, shuffledInference.embedding()), 1e-5f);
        // Training BN: the shuffled batches differ from the contiguous halves.
        float[] x = fetch(s, shuffled.logits());
        float[] y = fetch(s, unshuffled.logits());
        double diff = 0;
        for (int i = 0; i < x.length; i++) {
          diff = Math.max(diff, Math.abs(x[i] - y[i]));
        }
        assertTrue(diff > 1e-4, "shuffled BN batches gave the unshuffled outputs");
      }
    }
  }
}

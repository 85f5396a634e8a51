package dev.simmatch.algorithms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.simmatch.GraphTester;
import dev.simmatch.config.ConfigLoader;
import dev.simmatch.model.Network;
import dev.simmatch.model.Params;
import dev.simmatch.ops.MixUp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * ReMixMatch's build(): the loss equals the objective on separately computed logits of the mixed
 * rows, and only the first mixed chunk (the mixed labeled rows) moves the running statistics.
 */
class ReMixMatchTest {
  private static final int BX = 2;
  private static final int MU = 2;
  private static final int BU = BX * MU;
  private static final int CLASSES = 3;
  private static final int SIDE = 2;
  private static final int PIXELS = SIDE * SIDE;

  /**
   * A linear network whose "running statistic" is the batch mean of its flattened input: a
   * training forward's update assigns that mean [PIXELS] to one shared variable, so the variable
   * shows which forward's update ran.
   */
  private static final class MeanTracking implements Network {
    private final Ops tf;
    private final Params params;
    private final Operand<TFloat32> w;
    private final Variable<TFloat32> running;

    MeanTracking(Ops tf) {
      this.tf = tf;
      this.params = new Params(tf, "");
      Random rnd = new Random(5);
      float[][] m = new float[PIXELS][CLASSES];
      for (float[] row : m) {
        for (int j = 0; j < CLASSES; j++) {
          row[j] = (float) rnd.nextGaussian();
        }
      }
      this.w = tf.identity(tf.withName("w").variable(tf.constant(m)));
      this.running = tf.withName("running").variable(tf.zeros(tf.constant(new int[] {PIXELS}), TFloat32.class));
    }

    Operand<TFloat32> running() {
      return tf.identity(running);
    }

    @Override
    public Outputs forward(Operand<TFloat32> images, boolean training) {
      Operand<TFloat32> flat = tf.reshape(images, tf.constant(new int[] {-1, PIXELS}));
      List<Op> stats =
          training ? List.of(tf.assign(running, tf.math.mean(flat, tf.constant(0)))) : List.of();
      return new Outputs(tf.linalg.matMul(flat, w), flat, flat, stats);
    }

    @Override
    public Params params() {
      return params;
    }

    @Override
    public int numClasses() {
      return CLASSES;
    }
  }

  private static float[][][][] images(int n, long seed) {
    Random rnd = new Random(seed);
    float[][][][] out = new float[n][SIDE][SIDE][1];
    for (float[][][] img : out) {
      for (float[][] row : img) {
        for (float[] px : row) {
          px[0] = (float) rnd.nextGaussian();
        }
      }
    }
    return out;
  }

  private static float[] flat(float[][][][] imgs) {
    float[] out = new float[imgs.length * PIXELS];
    for (int i = 0; i < imgs.length; i++) {
      for (int p = 0; p < PIXELS; p++) {
        out[i * PIXELS + p] = imgs[i][p / SIDE][p % SIDE][0];
      }
    }
    return out;
  }

  @Test
  @SuppressWarnings("unchecked")
  void lossMatchesTheObjectiveAndOnlyTheFirstChunkMovesTheStatistics() {
    float[][][][] x = images(BX, 1);
    float[][][][] weak = images(BU, 2);
    float[][][][] s0 = images(BU, 3);
    float[][][][] s1 = images(BU, 4);
    float[][][][] rotated = images(BU, 5);
    int[] y = {0, 2};
    int[] rotation = {0, 1, 2, 3};
    long step = 20;
    try (GraphTester g = new GraphTester()) {
      Ops tf = g.tf;
      MeanTracking net = new MeanTracking(tf);
      ReMixMatch alg =
          (ReMixMatch)
              AlgorithmRegistry.create(
                  ConfigLoader.load(null, List.of("algorithm.name=remixmatch", "algorithm.da=ema",
                      "algorithm.da_target=labeled", "algorithm.unsup_warm_up=0.01", "train.batch_size=" + BX,
                      "train.mu=" + MU, "train.steps=3000", "train.seed=1")),
                  CLASSES, 0, 0, new float[] {0.5f, 0f, 0.5f});
      StepInputs in =
          new StepInputs(tf.constant(x), tf.constant(y), tf.constant(new int[] {0, 1}), tf.constant(weak),
              List.of(tf.constant(s0), tf.constant(s1)), tf.constant(rotated), tf.constant(rotation),
              tf.constant(new int[] {0, 1, 2, 0}), tf.constant(step));
      Objective obj = alg.build(tf, net, null, in);
      assertEquals(1, obj.statisticUpdates().size(), "one forward's statistics are kept");

      // The same step from separately computed logits: mixed rows forwarded as one batch.
      Map<Operand<?>, Tensor> feeds = obj.feeds().forStep(step);
      Operand<TFloat32> lambda = null;
      Operand<TInt32> perm = null;
      for (Operand<?> p : feeds.keySet()) {
        if (p.op().name().equals("mixup_lambda")) {
          lambda = (Operand<TFloat32>) p;
        } else {
          perm = (Operand<TInt32>) p;
        }
      }
      Operand<TFloat32> mixed =
          ReMixMatch.mixInputs(tf, tf.constant(x), List.of(tf.constant(s0), tf.constant(s1)), tf.constant(weak),
              lambda, perm);
      ReMixMatch.State state = alg.createState(tf.withSubScope("reference"));
      Operand<TFloat32> rotLogits = null;
      ReMixMatch.Terms ref =
          alg.objective(tf, state,
              new ReMixMatch.Inputs(tf.constant(y), net.forward(tf.constant(weak), false).logits(),
                  net.forward(mixed, false).logits(), net.forward(tf.constant(s0), false).logits(),
                  rotLogits, null, lambda, perm, tf.constant(step)));

      MixUp.Draw draw = MixUp.draw(1, step, BX * (1 + 3 * MU), 0.75);
      try {
        Session s = g.session();
        Session.Runner r = s.runner();
        feeds.forEach(r::feed);
        r.fetch(obj.loss()).fetch(obj.metrics().get("loss_rot")).fetch(ref.loss()).fetch(ref.lossX())
            .fetch(obj.metrics().get("loss_x")).fetch(ref.lossU()).fetch(obj.metrics().get("loss_u"))
            .fetch(ref.ramp()).fetch(mixed);
        float[] mixedValues = new float[BX * (1 + 3 * MU) * PIXELS];
        float loss;
        float lossRot;
        try (Result res = r.run()) {
          loss = ((TFloat32) res.get(0)).getFloat();
          lossRot = ((TFloat32) res.get(1)).getFloat();
          float refLoss = ((TFloat32) res.get(2)).getFloat();
          float ramp = ((TFloat32) res.get(7)).getFloat();
          assertEquals(20 / 30f, ramp, 1e-6f);
          // build() adds lambda_rot * loss_rot; the reference has no rotation head.
          assertEquals(refLoss + 0.5f * lossRot, loss, 1e-5f);
          assertEquals(((TFloat32) res.get(3)).getFloat(), ((TFloat32) res.get(4)).getFloat(), 1e-6f);
          assertEquals(((TFloat32) res.get(5)).getFloat(), ((TFloat32) res.get(6)).getFloat(), 1e-6f);
          ((TFloat32) res.get(8)).copyTo(DataBuffers.of(mixedValues, false, false));
        }
        assertTrue(lossRot > 0);

        // The host draw is the one the trainer feeds: same lambda rule, same permutation.
        float[] all = new float[mixedValues.length];
        List<float[]> groups = List.of(flat(x), flat(s0), flat(s1), flat(weak));
        int at = 0;
        for (float[] gr : groups) {
          System.arraycopy(gr, 0, all, at, gr.length);
          at += gr.length;
        }
        float lam = draw.lambda();
        float[] expectMean = new float[PIXELS];
        for (int i = 0; i < BX; i++) {
          for (int p = 0; p < PIXELS; p++) {
            float v = lam * all[i * PIXELS + p] + (1 - lam) * all[draw.perm()[i] * PIXELS + p];
            assertEquals(v, mixedValues[i * PIXELS + p], 1e-5f);
            expectMean[p] += v / BX;
          }
        }

        // Running the kept statistic update leaves the mean of the first mixed chunk.
        Session.Runner stats = s.runner();
        feeds.forEach(stats::feed);
        obj.statisticUpdates().forEach(stats::addTarget);
        stats.run().close();
        assertArrayEquals(expectMean, g.floats(net.running()), 1e-5f);
      } finally {
        new ArrayList<>(feeds.values()).forEach(Tensor::close);
      }
    }
  }
}

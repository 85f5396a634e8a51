package dev.simmatch.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.simmatch.algorithms.AlgorithmRegistry;
import dev.simmatch.algorithms.FixMatch;
import dev.simmatch.algorithms.SimMatch;
import dev.simmatch.config.Config;
import dev.simmatch.config.ConfigLoader;
import dev.simmatch.model.Network;
import dev.simmatch.model.Networks;
import dev.simmatch.model.Params;
import dev.simmatch.ops.CrossEntropy;
import dev.simmatch.ops.DistributionAlignment;
import dev.simmatch.ops.QueueAlignment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * train.replicas 2 on two virtual CPU devices against a reference of DDP's semantics built by hand:
 * two replicas as two separate forwards over their halves of the batch (fed separately), each with
 * its own loss, the two gradients averaged, one update; BN running statistics from replica 0; for
 * SimMatch the DA slot is the mean of the two replicas' batch means and the bank is written with
 * both replicas' labeled embeddings. Three steps, then every variable is compared.
 */
class ReplicasTest {
  private static final int H = 8;
  private static final int C = 3;
  private static final int B = 4;
  private static final int MU = 2;
  private static final int LABELED = 8;
  private static final int STEPS = 3;

  private static Config config(String algorithm, int replicas) {
    return ConfigLoader.load(null, List.of(
        "data.dataset=folder", "data.dir=unused", "data.labels=" + LABELED,
        "model.arch=cnn-small", "model.proj_dim=8",
        "algorithm.name=" + algorithm, "algorithm.warmup_steps=1", "algorithm.da_len=4", "algorithm.tau=0.3",
        "train.steps=10", "train.batch_size=" + B, "train.mu=" + MU, "train.threads=1", "train.lr=0.1",
        "train.replicas=" + replicas));
  }

  /** One step's batch: labeled x,y,index and unlabeled weak/strong views. */
  private record Batch(float[] x, int[] y, int[] index, float[] uw, float[] us, int[] ul) {
    static Batch random(Random rnd) {
      int px = H * H;
      float[] x = new float[B * px];
      float[] uw = new float[MU * B * px];
      float[] us = new float[MU * B * px];
      for (float[] a : List.of(x, uw, us)) {
        for (int i = 0; i < a.length; i++) {
          a[i] = (float) rnd.nextGaussian();
        }
      }
      int[] y = new int[B];
      int[] index = new int[B];
      for (int i = 0; i < B; i++) {
        y[i] = rnd.nextInt(C);
        index[i] = rnd.nextInt(LABELED);
      }
      return new Batch(x, y, index, uw, us, new int[MU * B]);
    }

    /** Half r of every part. */
    Batch half(int r) {
      int px = H * H;
      int bx = B / 2;
      int bu = MU * B / 2;
      return new Batch(
          java.util.Arrays.copyOfRange(x, r * bx * px, (r + 1) * bx * px),
          java.util.Arrays.copyOfRange(y, r * bx, (r + 1) * bx),
          java.util.Arrays.copyOfRange(index, r * bx, (r + 1) * bx),
          java.util.Arrays.copyOfRange(uw, r * bu * px, (r + 1) * bu * px),
          java.util.Arrays.copyOfRange(us, r * bu * px, (r + 1) * bu * px),
          java.util.Arrays.copyOfRange(ul, r * bu, (r + 1) * bu));
    }
  }

  /** Placeholders of one (replica's) batch. */
  private record Inputs(
      Placeholder<TFloat32> x, Placeholder<TInt32> y, Placeholder<TInt32> index, Placeholder<TFloat32> uw,
      Placeholder<TFloat32> us) {
    static Inputs create(Ops tf) {
      Shape img = Shape.of(-1, H, H, 1);
      return new Inputs(
          tf.placeholder(TFloat32.class, Placeholder.shape(img)),
          tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1))),
          tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1))),
          tf.placeholder(TFloat32.class, Placeholder.shape(img)),
          tf.placeholder(TFloat32.class, Placeholder.shape(img)));
    }

    void feed(Session.Runner run, Batch b, List<Tensor> owned) {
      int nx = b.y().length;
      int nu = b.uw().length / (H * H);
      TFloat32 tx = TFloat32.tensorOf(Shape.of(nx, H, H, 1), DataBuffers.of(b.x()));
      TInt32 ty = TInt32.tensorOf(Shape.of(nx), DataBuffers.of(b.y()));
      TInt32 ti = TInt32.tensorOf(Shape.of(nx), DataBuffers.of(b.index()));
      TFloat32 tw = TFloat32.tensorOf(Shape.of(nu, H, H, 1), DataBuffers.of(b.uw()));
      TFloat32 ts = TFloat32.tensorOf(Shape.of(nu, H, H, 1), DataBuffers.of(b.us()));
      owned.addAll(List.of(tx, ty, ti, tw, ts));
      run.feed(x, tx).feed(y, ty).feed(index, ti).feed(uw, tw).feed(us, ts);
    }
  }

  /** The queue DA of the replicas' mean batch mean, in closed form (QueueAlignment with one mean). */
  private static final class MeanOfReplicasQueue implements DistributionAlignment {
    private final Ops tf;
    private final Operand<TFloat32> model;

    MeanOfReplicasQueue(Ops tf, Operand<TFloat32> model) {
      this.tf = tf;
      this.model = model;
    }

    @Override
    public Step align(Operand<TFloat32> probs) {
      return new Step(DistributionAlignment.rescale(tf, probs, tf.constant(1f / C), model, 0f), w -> List.of());
    }
  }

  /** The reference graph: DDP with 2 replicas written out by hand, no devices. */
  private static Map<String, float[]> reference(String algorithm, List<Batch> batches) {
    Config cfg = config(algorithm, 1);
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      List<Inputs> in = List.of(Inputs.create(tf), Inputs.create(tf));
      Variable<TInt64> stepVar = tf.withName("global_step").variable(tf.constant(0L));
      Operand<TInt64> step = tf.identity(stepVar);
      Network online = Networks.create(new Params(tf, ""), "cnn-small", C, 1, cfg.model(), cfg.train().seed());
      Network ema = Networks.create(new Params(tf, "ema/"), "cnn-small", C, 1, cfg.model(), cfg.train().seed());
      List<Operand<TFloat32>> losses = new ArrayList<>();
      List<Op> stats = new ArrayList<>();
      List<Operand<TFloat32>> bankRows = new ArrayList<>();
      List<java.util.function.Function<List<Op>, List<Op>>> stateUpdates = new ArrayList<>();
      if (algorithm.equals("simmatch")) {
        SimMatch sm = (SimMatch) AlgorithmRegistry.create(cfg, C, LABELED, 8);
        SimMatch.State state = sm.createState(tf);
        QueueAlignment queue = (QueueAlignment) state.alignment();
        List<Network.Outputs> outs = new ArrayList<>();
        List<Operand<TFloat32>> means = new ArrayList<>();
        for (Inputs r : in) {
          Network.Outputs o = online.forward(tf.concat(List.of(r.x(), r.uw(), r.us()), tf.constant(0)), true);
          outs.add(o);
          Operand<TFloat32> p = tf.nn.softmax(tf.stopGradient(rows(tf, o.logits(), B / 2, MU * B / 2)));
          means.add(tf.math.mean(p, tf.constant(0)));
        }
        // DA: slot ptr := (mean_0 + mean_1) / 2; the model distribution is the new queue's row mean.
        Operand<TFloat32> mean = tf.math.div(tf.math.add(means.get(0), means.get(1)), tf.constant(2f));
        Operand<TInt32> ptr = tf.identity(queue.pointerVariable());
        Operand<TFloat32> slot = tf.expandDims(tf.oneHot(ptr, tf.constant(4), tf.constant(1f), tf.constant(0f)),
            tf.constant(1));
        Operand<TFloat32> newQueue = tf.math.add(
            tf.math.mul(tf.identity(queue.queueVariable()), tf.math.sub(tf.constant(1f), slot)),
            tf.math.mul(slot, tf.expandDims(mean, tf.constant(0))));
        Operand<TFloat32> model = tf.math.mean(newQueue, tf.constant(0));
        SimMatch.State shared = new SimMatch.State(state.bank(), new MeanOfReplicasQueue(tf, model));
        List<Operand<TInt32>> labels = new ArrayList<>();
        List<Operand<TInt32>> index = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
          Network.Outputs o = outs.get(r);
          int bx = B / 2;
          int bu = MU * B / 2;
          SimMatch.Terms t = sm.objective(tf, shared, new SimMatch.Inputs(
              rows(tf, o.logits(), 0, bx), in.get(r).y(), in.get(r).index(),
              rows(tf, o.logits(), bx + bu, bu), rows(tf, o.embedding(), bx + bu, bu),
              tf.stopGradient(rows(tf, o.logits(), bx, bu)), rows(tf, o.embedding(), bx, bu),
              rows(tf, o.embedding(), 0, bx), tf.math.greaterEqual(step, tf.constant(1L))));
          losses.add(t.loss());
          bankRows.add(rows(tf, o.embedding(), 0, bx));
          labels.add(in.get(r).y());
          index.add(in.get(r).index());
        }
        stats.addAll(outs.get(0).statisticUpdates());
        Operand<TInt32> newPtr = tf.math.floorMod(tf.math.add(ptr, tf.constant(1)), tf.constant(4));
        stateUpdates.add(w -> {
          List<Op> ops = new ArrayList<>(state.bank().update(tf.concat(bankRows, tf.constant(0)),
              tf.concat(labels, tf.constant(0)), tf.concat(index, tf.constant(0)), w));
          Ops after = tf.withControlDependencies(w);
          ops.add(after.assign(queue.queueVariable(), newQueue));
          ops.add(after.assign(queue.pointerVariable(), newPtr));
          return ops;
        });
      } else {
        for (int r = 0; r < 2; r++) {
          Inputs ri = in.get(r);
          Network.Outputs o;
          if (algorithm.equals("supervised")) {
            o = online.forward(ri.x(), true);
            losses.add(tf.math.mean(CrossEntropy.hard(tf, o.logits(), ri.y(), C), tf.constant(0)));
          } else {
            FixMatch fm = (FixMatch) AlgorithmRegistry.create(cfg, C, LABELED, 8);
            o = online.forward(tf.concat(List.of(ri.x(), ri.uw(), ri.us()), tf.constant(0)), true);
            int bx = B / 2;
            int bu = MU * B / 2;
            losses.add(fm.objective(tf, rows(tf, o.logits(), 0, bx), ri.y(), rows(tf, o.logits(), bx, bu),
                rows(tf, o.logits(), bx + bu, bu)).loss());
          }
          if (r == 0) {
            stats.addAll(o.statisticUpdates());
          }
        }
      }
      List<Params.Entry> trainable = online.params().trainable();
      List<Operand<TFloat32>> g0 = Gradients.of(tf, losses.get(0), trainable);
      List<Operand<TFloat32>> g1 = Gradients.of(tf, losses.get(1), trainable);
      List<Operand<TFloat32>> avg = new ArrayList<>();
      List<Op> readers = new ArrayList<>(losses);
      for (int i = 0; i < g0.size(); i++) {
        if (g0.get(i) == null) {
          avg.add(null); // the loss does not reach it (projection head without SimMatch)
          continue;
        }
        avg.add(tf.math.div(tf.math.add(g0.get(i), g1.get(i)), tf.constant(2f)));
        readers.add(g0.get(i));
        readers.add(g1.get(i));
      }
      Operand<TFloat32> lr = LearningRate.build(tf, step, cfg.train(), B);
      List<Op> after = new ArrayList<>(TrainGraph.optimizer(tf.withControlDependencies(readers), trainable, avg, lr,
          cfg.train()));
      after.addAll(stats);
      Ema shadow = new Ema(tf, online.params(), ema.params(), cfg.train().ema(), after);
      List<Op> all = new ArrayList<>(after);
      stateUpdates.forEach(u -> all.addAll(u.apply(readers)));
      all.addAll(shadow.updateOps());
      Op train = tf.withControlDependencies(List.of(tf.withControlDependencies(all).assignAdd(stepVar,
          tf.constant(1L)))).noOp();
      try (Session s = new Session(g, Trainer.sessionConfig(1))) {
        s.initialize();
        shadow.copyOps().forEach(s::run);
        for (Batch b : batches) {
          List<Tensor> owned = new ArrayList<>();
          Session.Runner run = s.runner();
          in.get(0).feed(run, b.half(0), owned);
          in.get(1).feed(run, b.half(1), owned);
          run.addTarget(train).run().close();
          owned.forEach(Tensor::close);
        }
        return variables(g, s);
      }
    }
  }

  private static Operand<TFloat32> rows(Ops tf, Operand<TFloat32> t, int start, int count) {
    return tf.gather(t, tf.range(tf.constant(start), tf.constant(start + count), tf.constant(1)), tf.constant(0));
  }

  /** Every VariableV2 of the graph by name, as floats. */
  private static Map<String, float[]> variables(Graph g, Session s) {
    Map<String, float[]> out = new TreeMap<>();
    for (NodeDef n : g.toGraphDef().getNodeList()) {
      if (!n.getOp().equals("VariableV2")) {
        continue;
      }
      try (Result r = s.runner().fetch(n.getName()).run()) {
        Tensor t = r.get(0);
        float[] v = new float[(int) t.shape().size()];
        if (t instanceof TFloat32 f) {
          f.asRawTensor().data().asFloats().read(v);
        } else if (t instanceof TInt32 i) {
          int[] a = new int[v.length];
          i.asRawTensor().data().asInts().read(a);
          for (int k = 0; k < a.length; k++) {
            v[k] = a[k];
          }
        } else if (t instanceof TInt64 l) {
          v[0] = l.getLong();
        }
        out.put(n.getName(), v);
      }
    }
    return out;
  }

  /** The replicated TrainGraph run on the whole batches. */
  private static Map<String, float[]> replicated(String algorithm, List<Batch> batches, Map<String, String> devices) {
    Config cfg = config(algorithm, 2);
    try (TrainGraph g = new TrainGraph(cfg, AlgorithmRegistry.create(cfg, C, LABELED, 8), H, H, 1, C);
        Session s = new Session(g.graph, Trainer.sessionConfig(cfg.train()))) {
      for (NodeDef n : g.graph.toGraphDef().getNodeList()) {
        devices.put(n.getName(), n.getDevice());
      }
      s.initialize();
      g.emaCopy.forEach(s::run);
      for (Batch b : batches) {
        List<Tensor> owned = new ArrayList<>();
        Session.Runner run = s.runner();
        new Inputs(g.x, g.y, g.indexX, g.uWeak, g.uStrong).feed(run, b, owned);
        TInt32 ul = TInt32.tensorOf(Shape.of(b.ul().length), DataBuffers.of(b.ul()));
        owned.add(ul);
        run.feed(g.uLabels, ul).addTarget(g.trainOp).run().close();
        owned.forEach(Tensor::close);
      }
      return variables(g.graph, s);
    }
  }

  private static void assertSame(String algorithm) {
    Random rnd = new Random(17);
    List<Batch> batches = new ArrayList<>();
    for (int i = 0; i < STEPS; i++) {
      batches.add(Batch.random(rnd));
    }
    Map<String, float[]> want = reference(algorithm, batches);
    Map<String, String> devices = new HashMap<>();
    Map<String, float[]> got = replicated(algorithm, batches, devices);
    assertEquals(want.keySet(), got.keySet(), "variables of the two graphs");
    double worst = 0;
    String worstName = "";
    for (String name : want.keySet()) {
      float[] a = want.get(name);
      float[] b = got.get(name);
      for (int i = 0; i < a.length; i++) {
        double err = Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(a[i]));
        assertTrue(err < 1e-4, () -> name + " differs: " + java.util.Arrays.toString(a).substring(0, 60) + " vs "
            + java.util.Arrays.toString(b).substring(0, 60));
        if (err > worst) {
          worst = err;
          worstName = name;
        }
      }
    }
    assertEquals(3f, got.get("global_step")[0]);
    // Each replica's backward runs on its device: some gradient ops sit on CPU:1, others on CPU:0.
    long onOne = devices.entrySet().stream()
        .filter(e -> e.getKey().startsWith("replica_gradients/") && e.getValue().endsWith("CPU:1")).count();
    long onZero = devices.entrySet().stream()
        .filter(e -> e.getKey().startsWith("replica_gradients/") && e.getValue().endsWith("CPU:0")).count();
    assertTrue(onOne > 20 && onZero > 20, "gradient ops on CPU:0 " + onZero + ", on CPU:1 " + onOne);
    System.out.printf("%s: %d variables, worst relative difference %.2e (%s)%n", algorithm, want.size(), worst,
        worstName);
  }

  /**
   * Through the trainer, with the EMA teacher (whose BN batches are shuffled across replicas): a run
   * interrupted after step 5 and resumed ends with the same variables as a straight run.
   */
  @Test
  void replicatedRunWithShuffledTeacherResumesExactly(@TempDir Path tmp) throws IOException {
    Path data = tmp.resolve("data");
    TinyData.write(data, 4, 6, 3, 7);
    Config cfg = TrainerTest.config(data, "train.replicas=2", "algorithm.teacher=ema");
    Path straight = tmp.resolve("straight");
    new Trainer(cfg, straight, false).run();
    Path interrupted = tmp.resolve("interrupted");
    assertThrows(IllegalStateException.class,
        () -> new Trainer(cfg, interrupted, false).listen(new TrainerTest.CrashAfter(5)).run());
    new Trainer(cfg, interrupted, true).run();
    String ckpt = "checkpoints/step-00000006/ckpt.data-00000-of-00001";
    assertArrayEquals(Files.readAllBytes(straight.resolve(ckpt)), Files.readAllBytes(interrupted.resolve(ckpt)));
  }

  @Test
  void supervisedMatchesTwoHalfBatchReplicas() {
    assertSame("supervised");
  }

  @Test
  void fixMatchMatchesTwoHalfBatchReplicas() {
    assertSame("fixmatch");
  }

  @Test
  void simMatchMatchesTwoHalfBatchReplicasBankAndAlignmentIncluded() {
    assertSame("simmatch");
  }
}

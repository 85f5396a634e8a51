package dev.simmatch.model;

import dev.simmatch.config.Config;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.tensorflow.DeviceSpec;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.nn.TopK;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Data-parallel replicas of one network in one graph (DDP's semantics, one process): R copies of
 * the forward pass, copy r built with its ops on device r, all reading the same variables. A
 * training forward over parts P_1..P_n (each [N_i,...], N_i divisible by R) gives replica r the rows
 * {@code [r*N_i/R, (r+1)*N_i/R)} of every part, in part order, so each replica's BatchNorm sees its
 * own share of labeled, weak and strong images (DDP without SyncBN). The outputs are reassembled in
 * the order of the unsplit parts, so an algorithm's loss over them is the mean of the replicas'
 * losses and its gradient the average of the replicas' gradients.
 *
 * <p>BN running statistics: only replica 0's updates are returned. DDP keeps one set per process
 * and checkpoints and broadcasts rank 0's; here there is one variable, written by replica 0.
 *
 * <p>Inference forwards run on replica 0 alone, unsplit.
 *
 * <p>Across workers ({@link #acrossWorkers}), replica w is worker w's process: this graph holds its
 * replica only, its inputs are its own rows of every part (the worker's shard of the global batch),
 * the others' outputs arrive by a collective gather, and the BN statistics are this worker's.
 */
public final class ReplicatedNetwork implements Network {
  /** Offsets the step in the shuffle's seed so its draws differ from other per-step draws. */
  private static final long SHUFFLE_STREAM = 0x5f0ff1e0000L;

  private final Ops tf;
  private final Network first;
  private final List<Network> replicas;
  private final long seed;
  /** Across workers: this process's replica index; -1 when every replica is in this graph. */
  private final int worker;
  private final int workers;
  /** Across workers: concatenates the workers' tensors along axis 0 in task order (no gradient). */
  private final UnaryOperator<Operand<TFloat32>> gather;

  private ReplicatedNetwork(
      Ops tf, List<Network> replicas, long seed, int worker, int workers, UnaryOperator<Operand<TFloat32>> gather) {
    this.tf = tf;
    this.first = replicas.get(0);
    this.replicas = List.copyOf(replicas);
    this.seed = seed;
    this.worker = worker;
    this.workers = workers;
    this.gather = gather;
  }

  /**
   * Builds replicas 1..R-1 over the variables of {@code base}, which becomes replica 0.
   *
   * @param tf ops without a device (split and reassembly)
   * @param base a network whose variables exist
   * @param devices one device per replica, R >= 2
   * @param arch, numClasses, channels, model, seed as {@code base} was built with
   */
  public static ReplicatedNetwork of(
      Ops tf, Network base, List<DeviceSpec> devices, String arch, int numClasses, int channels, Config.Model model,
      long seed) {
    if (devices.size() < 2) {
      throw new IllegalArgumentException("replicas need at least 2 devices, got " + devices.size());
    }
    List<Network> nets = new ArrayList<>();
    for (int r = 0; r < devices.size(); r++) {
      Ops on = tf.withDevice(devices.get(r)).withSubScope("replica_" + r);
      nets.add(Networks.create(base.params().onDevice(on), arch, numClasses, channels, model, seed));
    }
    return new ReplicatedNetwork(tf, nets, seed, -1, devices.size(), null);
  }

  /**
   * The replicas of a multi-worker run (one per process, between-graph replication): every worker
   * is fed only its own rows of every part ([N_i/W,...], the rows replica w gets in one graph), runs
   * their forward and gathers the other workers' outputs, so the outputs are those of the whole
   * batch [N_1 + N_2 + ...,...], as with replicas in one graph. Only this worker's rows carry a
   * gradient: the gradient of a loss over the whole batch is then this worker's share of the full
   * gradient, and the sum of the shares over the workers is the gradient of the one-graph replicas.
   *
   * @param base the network of this worker (ops on its own devices)
   * @param gather concatenation of a tensor of every worker along axis 0 in task order
   */
  public static ReplicatedNetwork acrossWorkers(
      Ops tf, Network base, int worker, int workers, UnaryOperator<Operand<TFloat32>> gather, long seed) {
    if (worker < 0 || worker >= workers) {
      throw new IllegalArgumentException("worker " + worker + " of " + workers);
    }
    return new ReplicatedNetwork(tf, List.of(base), seed, worker, workers, gather);
  }

  /** The network of replica r (its ops on device r). */
  public Network replica(int r) {
    return replicas.get(r);
  }

  /** R: the replicas in this graph, or the workers. */
  public int size() {
    return workers;
  }

  @Override
  public Outputs forward(Operand<TFloat32> images, boolean training) {
    return training ? forwardParts(List.of(images), true) : first.forward(images, false);
  }

  /**
   * In one graph the parts are whole; across workers they are this worker's rows of each part (its
   * shard of the global batch).
   */
  @Override
  public Outputs forwardParts(List<Operand<TFloat32>> parts, boolean training) {
    return forwardParts(parts, training, worker >= 0);
  }

  /**
   * @param ownRows the parts hold this worker's rows only; otherwise they are whole and each
   *     replica (or this worker) takes its share
   */
  private Outputs forwardParts(List<Operand<TFloat32>> parts, boolean training, boolean ownRows) {
    int n = workers;
    // chunk.get(p): rows per replica of part p (N_p / R)
    List<Operand<TInt32>> chunk = new ArrayList<>();
    for (Operand<TFloat32> part : parts) {
      chunk.add(ownRows ? rowsOf(tf, part) : tf.math.floorDiv(rowsOf(tf, part), tf.constant(n)));
    }
    List<Outputs> outs = new ArrayList<>();
    for (int r = 0; r < n; r++) {
      if (worker >= 0 && r != worker) {
        outs.add(null);
      } else if (ownRows) {
        outs.add(first.forward(concat(first.params().tf(), parts), training));
      } else {
        outs.add(replicaForward(r, parts, chunk, training));
      }
    }
    List<Op> updates;
    if (worker < 0) {
      updates = training ? outs.get(0).statisticUpdates() : List.of();
    } else {
      // DDP keeps BN statistics per process: each worker writes its own.
      updates = training ? outs.get(worker).statisticUpdates() : List.of();
      fillFromOtherWorkers(outs);
    }
    return new Outputs(
        reassemble(chunk, outs, Outputs::logits),
        reassemble(chunk, outs, Outputs::embedding),
        reassemble(chunk, outs, Outputs::features),
        updates);
  }

  /**
   * DDP's batch shuffle for BN: the rows of the whole batch are permuted (seeded by train.seed and
   * the step), each replica runs on its share of the permuted rows, and the outputs are put back in
   * the original order. Only for forwards without gradient. Across workers the parts are this
   * worker's rows: the whole parts are first gathered from all workers (DDP's
   * {@code _batch_shuffle_ddp} gathers the images too), worker w holding rows [w*N_p/W, (w+1)*N_p/W)
   * of part p, so the gather in task order is the whole part.
   */
  @Override
  public Outputs forwardShuffled(List<Operand<TFloat32>> parts, boolean training, Operand<TInt64> step) {
    Operand<TInt32> zero = tf.constant(0);
    List<Operand<TFloat32>> whole = worker < 0 ? parts : parts.stream().map(this::gatherImages).toList();
    Operand<TFloat32> all = concat(tf, whole);
    Operand<TInt32> rows = rowsOf(tf, all);
    Operand<TInt64> key = tf.stack(List.of(tf.constant(seed), tf.math.add(step, tf.constant(SHUFFLE_STREAM))));
    Operand<TFloat32> draws = tf.random.statelessRandomUniform(tf.reshape(rows, tf.constant(new int[] {1})), key);
    // The ranks of uniform draws are a uniformly random permutation.
    Operand<TInt32> perm = tf.nn.topK(draws, rows, new TopK.Options[0]).indices();
    Operand<TInt32> inverse = tf.math.invertPermutation(perm);
    Outputs shuffled = forwardParts(List.of(tf.gather(all, perm, zero)), training, false);
    return new Outputs(
        unshuffle(shuffled.logits(), inverse),
        unshuffle(shuffled.embedding(), inverse),
        unshuffle(shuffled.features(), inverse),
        shuffled.statisticUpdates());
  }

  /** Replica r's forward over its rows of every part. */
  private Outputs replicaForward(int r, List<Operand<TFloat32>> parts, List<Operand<TInt32>> chunk, boolean training) {
    Network net = worker < 0 ? replicas.get(r) : first;
    Ops on = net.params().tf();
    List<Operand<TFloat32>> mine = new ArrayList<>();
    for (int p = 0; p < parts.size(); p++) {
      mine.add(rows(on, parts.get(p), on.math.mul(on.constant(r), chunk.get(p)), chunk.get(p)));
    }
    return net.forward(concat(on, mine), training);
  }

  /** The parts one after the other along axis 0. */
  private static Operand<TFloat32> concat(Ops tf, List<Operand<TFloat32>> parts) {
    return parts.size() == 1 ? parts.get(0) : tf.concat(parts, tf.constant(0));
  }

  /**
   * Across workers: the whole part from every worker's rows, [W*n,...], with the part's static image
   * shape (the network's layers are built from it) asserted on the gather's output.
   */
  private Operand<TFloat32> gatherImages(Operand<TFloat32> part) {
    long[] dims = part.shape().asArray();
    dims[0] = -1;
    return tf.ensureShape(gather.apply(part), Shape.of(dims));
  }

  /**
   * Across workers: the null entries of {@code outs} (other workers) become their rows of the
   * gathered outputs. Gathered [W*n, ...] holds worker w's n rows at [w*n, (w+1)*n).
   */
  private void fillFromOtherWorkers(List<Outputs> outs) {
    Outputs own = outs.get(worker);
    Operand<TFloat32> logits = gatherOf(own.logits());
    Operand<TFloat32> embedding = gatherOf(own.embedding());
    Operand<TFloat32> features = gatherOf(own.features());
    Operand<TInt32> n = rowsOf(tf, own.logits());
    for (int w = 0; w < workers; w++) {
      if (w != worker) {
        Operand<TInt32> start = tf.math.mul(tf.constant(w), n);
        outs.set(w, new Outputs(slice(logits, start, n), slice(embedding, start, n), slice(features, start, n),
            List.of()));
      }
    }
  }

  private Operand<TFloat32> gatherOf(Operand<TFloat32> x) {
    return x == null ? null : gather.apply(tf.stopGradient(x));
  }

  private Operand<TFloat32> slice(Operand<TFloat32> x, Operand<TInt32> start, Operand<TInt32> count) {
    return x == null ? null : rows(tf, x, start, count);
  }

  private Operand<TFloat32> unshuffle(Operand<TFloat32> x, Operand<TInt32> inverse) {
    return x == null ? null : tf.gather(x, inverse, tf.constant(0));
  }

  /** Replica outputs [r's rows of part 1, of part 2, ...] back to [part 1 of all replicas, part 2, ...]. */
  private Operand<TFloat32> reassemble(
      List<Operand<TInt32>> chunk, List<Outputs> outs, Function<Outputs, Operand<TFloat32>> pick) {
    if (pick.apply(outs.get(0)) == null) {
      return null;
    }
    if (chunk.size() == 1) {
      return tf.concat(outs.stream().map(pick).toList(), tf.constant(0));
    }
    List<Operand<TFloat32>> ordered = new ArrayList<>();
    Operand<TInt32> start = tf.constant(0);
    for (Operand<TInt32> rowsPerReplica : chunk) {
      for (int r = 0; r < outs.size(); r++) {
        Ops on = worker < 0 ? replicas.get(r).params().tf() : tf;
        ordered.add(rows(on, pick.apply(outs.get(r)), start, rowsPerReplica));
      }
      start = tf.math.add(start, rowsPerReplica);
    }
    return tf.concat(ordered, tf.constant(0));
  }

  /** Leading dimension, as a scalar. */
  private static Operand<TInt32> rowsOf(Ops tf, Operand<?> t) {
    return tf.gather(tf.shape(t), tf.constant(0), tf.constant(0));
  }

  /** Rows [start, start + count) of t, by a gather (GatherV2 has a verified gradient in TF Java). */
  private static Operand<TFloat32> rows(Ops tf, Operand<TFloat32> t, Operand<TInt32> start, Operand<TInt32> count) {
    return tf.gather(t, tf.range(start, tf.math.add(start, count), tf.constant(1)), tf.constant(0));
  }

  @Override
  public Params params() {
    return first.params();
  }

  @Override
  public int numClasses() {
    return first.numClasses();
  }
}

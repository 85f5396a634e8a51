package dev.simmatch.distributed;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.TensorFlow;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TType;

/**
 * Collective ops between the workers of one group, built with {@code opBuilder} (the V2 ops have no
 * typed wrapper; the typed V3 op with {@code CollectiveInitializeCommunicator} crashes the JVM in TF
 * Java 1.1.0). Every instance key identifies one exchange and must be the same on every worker:
 * build the collectives in the same order on all of them.
 *
 * <p>The ops carry no {@code timeout_seconds}: for each collective with a timeout TensorFlow starts
 * two threads (parameter resolution and execution) that sleep the whole timeout, so at 3 steps/s
 * and 600 s a worker held thousands of threads and died of "Resource temporarily unavailable"
 * (docs/distributed.md). The deadline is {@link StepWatchdog}'s, around every session run.
 */
public final class Collectives {
  private final Ops tf;
  private final int groupSize;
  private final int groupKey;
  private int nextInstance = 1;

  public Collectives(Ops tf, int groupSize, int groupKey) {
    this.tf = tf;
    this.groupSize = groupSize;
    this.groupKey = groupKey;
  }

  /** Elementwise mean over the workers. */
  public <T extends TType> Operand<T> mean(Operand<T> x) {
    return build("CollectiveReduceV2", x, "Div");
  }

  /** Elementwise sum over the workers. */
  public <T extends TType> Operand<T> sum(Operand<T> x) {
    return build("CollectiveReduceV2", x, "Id");
  }

  /**
   * Elementwise sums over the workers of several float tensors, bucketed as DDP buckets gradients:
   * walking the list backwards (the backward pass yields the last layers' gradients first), tensors
   * are packed into buckets of at least {@code bucketBytes}, each bucket flattened, concatenated,
   * summed by one all-reduce, split and reshaped back. Few exchanges per step (the per-collective
   * latency is paid per bucket, not per variable) while the early buckets still overlap the rest of
   * the backward. Each element is the same sum as {@link #sum} gives. Null entries stay null; a
   * tensor of unknown static size counts 0 bytes towards its bucket.
   */
  public List<Operand<TFloat32>> sumBucketed(List<Operand<TFloat32>> xs, long bucketBytes) {
    List<Operand<TFloat32>> out = new ArrayList<>(xs);
    List<Integer> bucket = new ArrayList<>();
    long bytes = 0;
    for (int i = xs.size() - 1; i >= 0; i--) {
      Operand<TFloat32> x = xs.get(i);
      if (x == null) {
        continue;
      }
      bucket.add(i);
      bytes += x.shape().hasUnknownDimension() ? 0 : x.shape().size() * Float.BYTES;
      if (bytes >= bucketBytes) {
        sumBucket(xs, bucket, out);
        bytes = 0;
      }
    }
    if (!bucket.isEmpty()) {
      sumBucket(xs, bucket, out);
    }
    return out;
  }

  /** One all-reduce for the tensors at {@code indices}; their sums replace them in {@code out}. Empties the list. */
  private void sumBucket(List<Operand<TFloat32>> xs, List<Integer> indices, List<Operand<TFloat32>> out) {
    List<Output<TFloat32>> pieces;
    if (indices.size() == 1) {
      // ConcatV2 and SplitV want at least two pieces; the shape is restored below either way.
      pieces = List.of(sum(xs.get(indices.get(0))).asOutput());
    } else {
      Operand<TInt32> flat = tf.constant(new int[] {-1});
      List<Operand<TFloat32>> flats = new ArrayList<>();
      List<Operand<TInt32>> sizes = new ArrayList<>();
      for (int i : indices) {
        flats.add(tf.reshape(xs.get(i), flat));
        sizes.add(tf.size(xs.get(i)));
      }
      Operand<TFloat32> summed = sum(tf.concat(flats, tf.constant(0)));
      pieces = tf.splitV(summed, tf.stack(sizes), tf.constant(0), (long) indices.size()).output();
    }
    for (int k = 0; k < indices.size(); k++) {
      int i = indices.get(k);
      out.set(i, tf.reshape(pieces.get(k), tf.shape(xs.get(i))));
    }
    indices.clear();
  }

  /**
   * The workers' tensors concatenated along axis 0 in task order. No gradient flows through it:
   * stop the gradient of {@code x} before (TensorFlow's gradient builder still visits the op when
   * {@code x} depends on a variable, so a zero gradient is registered for it).
   */
  public <T extends TType> Operand<T> gather(Operand<T> x) {
    registerGatherGradient();
    return build("CollectiveGatherV2", x, null);
  }

  /** Zeros for every input of CollectiveGatherV2; a no-op once registered (false is returned then). */
  private static void registerGatherGradient() {
    TensorFlow.registerCustomGradient("CollectiveGatherV2", Collectives::zeroGradients);
  }

  private static List<Operand<?>> zeroGradients(Ops tf, GraphOperation op, List<Output<?>> gradOutputs) {
    List<Operand<?>> out = new ArrayList<>();
    for (int i = 0; i < op.numInputs(); i++) {
      out.add(tf.zerosLike(op.input(i)));
    }
    return out;
  }

  /** @param finalOp the reduction's final op ("Div": mean, "Id": sum); null for a gather */
  private <T extends TType> Operand<T> build(String type, Operand<T> x, String finalOp) {
    Graph g = (Graph) tf.scope().env();
    var b = g.opBuilder(type, tf.scope().makeOpName(type), tf.scope())
        .addInput(x.asOutput())
        .addInput(tf.constant(groupSize).asOutput())
        .addInput(tf.constant(groupKey).asOutput())
        .addInput(tf.constant(nextInstance++).asOutput())
        .addInputList(new Output<?>[0])
        .setAttr("communication_hint", "auto");
    if (finalOp != null) {
      b.setAttr("merge_op", "Add").setAttr("final_op", finalOp);
    }
    return b.build().output(0);
  }
}

package dev.simmatch.distributed;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.TensorFlow;
import org.tensorflow.op.Ops;
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

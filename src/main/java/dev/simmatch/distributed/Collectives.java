package dev.simmatch.distributed;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TType;

/**
 * Collective ops between the workers of one group, built with {@code opBuilder} (the V2 ops have no
 * typed wrapper; the typed V3 op with {@code CollectiveInitializeCommunicator} crashes the JVM in TF
 * Java 1.1.0). Every instance key identifies one exchange and must be the same on every worker:
 * build the collectives in the same order on all of them.
 */
public final class Collectives {
  private final Ops tf;
  private final int groupSize;
  private final int groupKey;
  private final float timeoutSeconds;
  private int nextInstance = 1;

  /**
   * @param timeoutSeconds a worker that does not join within this time turns the step into an error
   */
  public Collectives(Ops tf, int groupSize, int groupKey, float timeoutSeconds) {
    this.tf = tf;
    this.groupSize = groupSize;
    this.groupKey = groupKey;
    this.timeoutSeconds = timeoutSeconds;
  }

  /** Elementwise mean over the workers. */
  public <T extends TType> Operand<T> mean(Operand<T> x) {
    return build("CollectiveReduceV2", x, true);
  }

  /** The workers' tensors concatenated along axis 0 in task order. */
  public <T extends TType> Operand<T> gather(Operand<T> x) {
    return build("CollectiveGatherV2", x, false);
  }

  private <T extends TType> Operand<T> build(String type, Operand<T> x, boolean reduce) {
    Graph g = (Graph) tf.scope().env();
    var b = g.opBuilder(type, tf.scope().makeOpName(type), tf.scope())
        .addInput(x.asOutput())
        .addInput(tf.constant(groupSize).asOutput())
        .addInput(tf.constant(groupKey).asOutput())
        .addInput(tf.constant(nextInstance++).asOutput())
        .addInputList(new Output<?>[0])
        .setAttr("communication_hint", "auto")
        .setAttr("timeout_seconds", timeoutSeconds);
    if (reduce) {
      b.setAttr("merge_op", "Add").setAttr("final_op", "Div");
    }
    return b.build().output(0);
  }
}

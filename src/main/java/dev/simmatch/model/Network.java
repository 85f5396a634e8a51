package dev.simmatch.model;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * A backbone with a classifier and the SimMatch projection head, built as a TF graph over a
 * {@link Params} store. The same instance may be applied several times (training forward,
 * evaluation forward): every application reads the same variables.
 */
public interface Network {

  /** Outputs of one forward pass over a batch of N images. */
  record Outputs(
      /* [N,C] */ Operand<TFloat32> logits,
      /* [N,proj_dim], unit rows */ Operand<TFloat32> embedding,
      /* [N,D] pooled features */ Operand<TFloat32> features,
      /* training mode: assignments of the BN running statistics; empty in inference mode */
      List<Op> statisticUpdates) {}

  /**
   * @param images [N,H,W,C] normalised float images
   * @param training true: BatchNorm uses batch statistics and returns running-statistic updates;
   *     false: BatchNorm uses the running statistics
   */
  Outputs forward(Operand<TFloat32> images, boolean training);

  /**
   * One training or inference forward over several parts of a batch (e.g. labeled, weak and strong
   * views) as if they were concatenated along the batch axis; the outputs hold the parts' rows in
   * that order. A {@link ReplicatedNetwork} gives each replica an even share of every part.
   */
  default Outputs forwardParts(List<Operand<TFloat32>> parts, boolean training) {
    if (parts.size() == 1) {
      return forward(parts.get(0), training);
    }
    Ops tf = params().tf();
    return forward(tf.concat(parts, tf.constant(0)), training);
  }

  /**
   * As {@link #forwardParts}, for a no-gradient teacher whose BatchNorm batches a {@link
   * ReplicatedNetwork} draws at random across replicas (DDP's shuffled BN); one device has one
   * batch, so no shuffle.
   *
   * @param step the step being taken: seeds the shuffle
   */
  default Outputs forwardShuffled(List<Operand<TFloat32>> parts, boolean training, Operand<TInt64> step) {
    return forwardParts(parts, training);
  }

  Params params();

  int numClasses();
}

package dev.simmatch.algorithms;

import dev.simmatch.model.Network;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;

/**
 * A training objective. The trainer builds the graph once: it makes the placeholders ({@link
 * StepInputs}), the online network and its EMA copy, calls {@link #build}, differentiates
 * {@link Objective#loss()} against the online network's trainable variables only, and runs the
 * optimizer, the EMA update, the BN statistic updates and {@link Objective#stateUpdates} in one
 * session run per step.
 */
public interface Algorithm {

  /** Registry name, as in {@code algorithm.name}. */
  String name();

  /** True if the algorithm reads the unlabeled views (false: the batcher may skip them). */
  boolean usesUnlabeled();

  /**
   * Strong views per unlabeled image the algorithm reads ({@link StepInputs#uStrongViews}); 0 when
   * it reads only the weak view (the batcher then makes none, and the strong placeholder is unfed).
   */
  default int strongViews() {
    return 1;
  }

  /** True if it reads the rotated first strong view and its rotation ({@link StepInputs#uRotated}). */
  default boolean usesRotatedView() {
    return false;
  }

  /** True if the labeled batch enters the loss (false: SimCLR, which reads only unlabeled views). */
  default boolean usesLabeled() {
    return true;
  }

  /**
   * True if the loss trains the classifier, so the evaluation's top-1 means something (false:
   * SimCLR, whose runs are monitored by k-NN on the features instead).
   */
  default boolean trainsClassifier() {
    return usesLabeled();
  }

  /**
   * Called once when a run starts at step 0, after the variables are initialised and before
   * {@code train.init_from} is applied; not called on resume (the checkpoint restores everything).
   * Distillation loads its frozen teacher here.
   */
  default void initialize(Session session) {}

  /**
   * Images in the batch that {@code train.lr_scaling} scales the learning rate by: B for
   * algorithms driven by the labeled batch, mu*B for those that read only unlabeled images.
   */
  default int scalingBatch(int batchSize, int mu) {
    return usesLabeled() ? batchSize : mu * batchSize;
  }

  /**
   * @param tf graph ops
   * @param online the network being trained
   * @param ema the EMA copy of the network (evaluation weights; SimMatch's `ema` teacher)
   * @param in the step's placeholders
   */
  Objective build(Ops tf, Network online, Network ema, StepInputs in);
}

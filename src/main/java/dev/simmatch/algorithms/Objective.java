package dev.simmatch.algorithms;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.types.TFloat32;

/**
 * What an algorithm adds to the training graph.
 *
 * @param loss scalar total loss
 * @param metrics scalar float monitors by name (loss_x, loss_u, mask_ratio, pseudo_label_acc,
 *     unlabeled_acc, ...), fetched at every logged step
 * @param statisticUpdates BN running-statistic assignments of every training-mode forward
 * @param stateUpdates builds the algorithm's state updates (memory bank, distribution alignment)
 *     so that they run only after the given ops (the gradients and the loss), since they overwrite
 *     state that the loss read
 * @param feeds host-side values of each step fed into the algorithm's own placeholders
 */
public record Objective(
    Operand<TFloat32> loss,
    Map<String, Operand<TFloat32>> metrics,
    List<Op> statisticUpdates,
    Function<List<Op>, List<Op>> stateUpdates,
    StepFeeds feeds) {

  /** An objective without host-side feeds. */
  public Objective(
      Operand<TFloat32> loss,
      Map<String, Operand<TFloat32>> metrics,
      List<Op> statisticUpdates,
      Function<List<Op>, List<Op>> stateUpdates) {
    this(loss, metrics, statisticUpdates, stateUpdates, StepFeeds.NONE);
  }
}

package dev.simmatch.algorithms;

import dev.simmatch.config.Config;
import dev.simmatch.model.Network;
import dev.simmatch.ops.ConfidenceMask;
import dev.simmatch.ops.CrossEntropy;
import dev.simmatch.ops.MaskedAccuracy;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * FixMatch (Sohn et al., NeurIPS 2020). One forward pass over (labeled, weak, strong) in training
 * mode, so BatchNorm sees all three; the weak view's prediction, without gradient, labels the
 * strong view when it is confident:
 *
 * <pre>
 *   p      = softmax(logits_w)                       [Bu,C], no gradient
 *   mask   = 1[max_c p >= tau]                       [Bu]
 *   target = onehot(argmax p)  (hard_label; else p)  [Bu,C]
 *   loss   = mean_b CE(logits_x, y) + lambda_u * mean_b mask * CE(logits_s, target)
 * </pre>
 */
public final class FixMatch implements Algorithm {
  public static final String NAME = "fixmatch";

  private final int numClasses;
  private final float tau;
  private final float lambdaU;
  private final boolean hardLabel;

  public FixMatch(Config.Algorithm cfg, int numClasses) {
    this.numClasses = numClasses;
    this.tau = Checks.probability("tau", cfg.tau());
    this.lambdaU = Checks.nonNegative("lambda_u", cfg.lambdaU());
    this.hardLabel = cfg.hardLabel();
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public boolean usesUnlabeled() {
    return true;
  }

  /**
   * The tensors of one step's objective.
   *
   * @param probs [Bu,C] weak-view probabilities
   * @param pseudoLabels [Bu] argmax of probs
   * @param targets [Bu,C] targets of the strong view (one-hot or soft)
   * @param mask [Bu] 0/1
   * @param lossX scalar
   * @param lossU scalar, mean over Bu of mask * CE
   * @param loss scalar, lossX + lambda_u * lossU
   */
  public record Terms(
      Operand<TFloat32> probs,
      Operand<TInt32> pseudoLabels,
      Operand<TFloat32> targets,
      Operand<TFloat32> mask,
      Operand<TFloat32> lossX,
      Operand<TFloat32> lossU,
      Operand<TFloat32> loss) {}

  /**
   * The objective from network outputs; used by {@link #build} and by the reference-vector check.
   *
   * @param logitsX [Bx,C] labeled logits
   * @param labelsX [Bx]
   * @param logitsUW [Bu,C] weak-view logits (no gradient flows into them)
   * @param logitsUS [Bu,C] strong-view logits
   */
  public Terms objective(
      Ops tf,
      Operand<TFloat32> logitsX,
      Operand<TInt32> labelsX,
      Operand<TFloat32> logitsUW,
      Operand<TFloat32> logitsUS) {
    Operand<TFloat32> lossX =
        tf.math.mean(CrossEntropy.hard(tf, logitsX, labelsX, numClasses), tf.constant(0));
    Operand<TFloat32> p = tf.nn.softmax(tf.stopGradient(logitsUW));
    Operand<TInt32> pseudo = tf.math.argMax(p, tf.constant(1), TInt32.class);
    Operand<TFloat32> targets =
        hardLabel
            ? tf.oneHot(pseudo, tf.constant(numClasses), tf.constant(1f), tf.constant(0f))
            : p;
    Operand<TFloat32> mask = ConfidenceMask.of(tf, p, tau);
    Operand<TFloat32> lossU =
        tf.math.mean(tf.math.mul(mask, CrossEntropy.soft(tf, logitsUS, targets)), tf.constant(0));
    Operand<TFloat32> loss = tf.math.add(lossX, tf.math.mul(tf.constant(lambdaU), lossU));
    return new Terms(p, pseudo, targets, mask, lossX, lossU, loss);
  }

  @Override
  public Objective build(Ops tf, Network online, Network ema, StepInputs in) {
    // The global batch sizes, from the labels: in a multi-worker run the images are this worker's rows.
    Operand<TInt32> bx = Batches.size(tf, in.y());
    Operand<TInt32> bu = Batches.size(tf, in.uLabels());
    // [Bx + 2Bu, ...]: labeled, weak, strong
    Network.Outputs out =
        online.forwardParts(List.of(in.x(), in.uWeak(), in.uStrong()), true);
    Operand<TFloat32> logitsX = Batches.rows(tf, out.logits(), tf.constant(0), bx);
    Operand<TFloat32> logitsUW = Batches.rows(tf, out.logits(), bx, bu);
    Operand<TFloat32> logitsUS = Batches.rows(tf, out.logits(), tf.math.add(bx, bu), bu);

    Terms t = objective(tf, logitsX, in.y(), logitsUW, logitsUS);
    Map<String, Operand<TFloat32>> metrics = new LinkedHashMap<>();
    metrics.put("loss_x", t.lossX());
    metrics.put("loss_u", t.lossU());
    metrics.put("mask_ratio", tf.math.mean(t.mask(), tf.constant(0)));
    metrics.put("pseudo_label_acc", MaskedAccuracy.of(tf, t.probs(), in.uLabels(), t.mask()));
    metrics.put("unlabeled_acc", MaskedAccuracy.of(tf, t.probs(), in.uLabels(), null));
    return new Objective(t.loss(), metrics, out.statisticUpdates(), waitFor -> List.of());
  }
}

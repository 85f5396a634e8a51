package dev.simmatch.algorithms;

import dev.simmatch.config.Config;
import dev.simmatch.model.Network;
import dev.simmatch.model.RotationHead;
import dev.simmatch.ops.CrossEntropy;
import dev.simmatch.ops.DistributionAlignment;
import dev.simmatch.ops.LinearRamp;
import dev.simmatch.ops.MaskedAccuracy;
import dev.simmatch.ops.MixUp;
import dev.simmatch.ops.Sharpen;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.tensorflow.Operand;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * ReMixMatch (Berthelot et al., ICLR 2020) in the form of USB's {@code remixmatch.py}. With Bx
 * labeled images, Bu = mu*Bx unlabeled images, each seen as a weak view w, two strong views s_0,
 * s_1 and s_0 rotated by 90*r degrees, C classes and N = Bx + 3*Bu mixed rows:
 *
 * <pre>
 *   p        = softmax(f(w))                                      [Bu,C], no gradient
 *   p_model  = m * p_model + (1 - m) * mean_b p   (first step: mean_b p; updated, then used)
 *   q        = sharpen(normalise(p * (p_target + eps) / (p_model + eps)), T)     [Bu,C]
 *   X, Y     = [x; s_0; s_1; w],  [onehot(y); q; q; q]            [N,...], [N,C]
 *   X', Y'   = lambda X + (1 - lambda) X[perm],  same for Y       (one lambda, one perm)
 *   L        = f(X'), forwarded in chunks of Bx rows               [N,C]
 *   w_t      = clip(step / (unsup_warm_up * steps), 0, 1)
 *   loss     = CE(Y'[:Bx], L[:Bx]) + lambda_u w_t CE(Y'[Bx:], L[Bx:])
 *            + lambda_kl w_t CE(q, f(s_0)) + lambda_rot CE(onehot(r), g(rot(s_0)))
 * </pre>
 *
 * CE is the soft-target cross-entropy averaged over rows; g is the rotation head {@code
 * rot_classifier} on the pooled features. Every forward runs in training mode with its own batch's
 * statistics; only the first mixed chunk (the mixed labeled rows) updates the BN running statistics,
 * as in USB. USB's forwards of x and s_1 alone feed no loss and are skipped.
 */
public final class ReMixMatch implements Algorithm {
  public static final String NAME = "remixmatch";

  /** Strong views per unlabeled image (fixed in USB). */
  public static final int STRONG_VIEWS = 2;

  private final Config.Algorithm cfg;
  private final int numClasses;
  private final float[] labeledDistribution;
  private final long seed;
  private final int batchSize;
  private final int mu;
  private final float sharpenT;
  private final double mixupAlpha;
  private final float lambdaU;
  private final float lambdaKl;
  private final float lambdaRot;
  private final double rampSteps;

  /**
   * @param config resolved configuration: algorithm keys, and train.seed (MixUp draws),
   *     train.batch_size and train.mu (mixed chunks), train.steps (length of the ramp)
   * @param labeledDistribution class distribution of the labeled set [C], for {@code da_target:
   *     labeled}; may be null otherwise
   */
  public ReMixMatch(Config config, int numClasses, float[] labeledDistribution) {
    this.cfg = config.algorithm();
    this.numClasses = numClasses;
    this.labeledDistribution = labeledDistribution == null ? null : labeledDistribution.clone();
    this.seed = config.train().seed();
    this.batchSize = config.train().batchSize();
    this.mu = config.train().mu();
    this.sharpenT = Checks.positive("sharpen_t", cfg.sharpenT());
    this.mixupAlpha = Checks.positive("mixup_alpha", cfg.mixupAlpha());
    this.lambdaU = Checks.nonNegative("lambda_u", cfg.lambdaU());
    this.lambdaKl = Checks.nonNegative("lambda_kl", cfg.lambdaKl());
    this.lambdaRot = Checks.nonNegative("lambda_rot", cfg.lambdaRot());
    this.rampSteps =
        Checks.probability("unsup_warm_up", cfg.unsupWarmUp()) * (double) config.train().steps();
    if (Checks.choice("da", cfg.da(), "none", "queue", "ema").equals("ema")
        && Checks.choice("da_target", cfg.daTarget(), "uniform", "labeled").equals("labeled")
        && labeledDistribution == null) {
      throw new IllegalArgumentException(
          "da_target 'labeled' needs the labeled class distribution: pass it to"
              + " AlgorithmRegistry.create");
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public boolean usesUnlabeled() {
    return true;
  }

  @Override
  public int strongViews() {
    return STRONG_VIEWS;
  }

  @Override
  public boolean usesRotatedView() {
    return lambdaRot > 0;
  }

  /** Rows mixed per step: N = Bx + (K + 1) * mu * Bx. */
  public int mixedRows() {
    return batchSize * (1 + (STRONG_VIEWS + 1) * mu);
  }

  /** The graph state: distribution alignment (p_model). */
  public record State(DistributionAlignment alignment) {}

  /** Creates the state variables, named {@code remixmatch/da_p_model}, .... */
  public State createState(Ops tf) {
    return new State(
        Alignments.create(tf.withSubScope(NAME), cfg, numClasses, labeledDistribution));
  }

  /**
   * Network outputs and draws of one step, as the objective consumes them.
   *
   * @param labelsX [Bx]
   * @param logitsUW [Bu,C] logits of the weak views (no gradient flows into them)
   * @param logitsMixed [N,C] logits of the mixed rows, in the order of {@link #mixInputs}
   * @param logitsUS0 [Bu,C] logits of the first strong view, un-mixed
   * @param logitsRot [Bu,4] rotation-head logits of the rotated first strong view, or null when
   *     lambda_rot is 0
   * @param rotation [Bu] r in 0..3, or null
   * @param lambda scalar MixUp coefficient, max(l, 1-l)
   * @param perm [N] MixUp partner rows
   * @param step scalar, steps taken before this one
   */
  public record Inputs(
      Operand<TInt32> labelsX,
      Operand<TFloat32> logitsUW,
      Operand<TFloat32> logitsMixed,
      Operand<TFloat32> logitsUS0,
      Operand<TFloat32> logitsRot,
      Operand<TInt32> rotation,
      Operand<TFloat32> lambda,
      Operand<TInt32> perm,
      Operand<TInt64> step) {}

  /**
   * The tensors of one step's objective.
   *
   * @param probs [Bu,C] softmax of the weak logits
   * @param aligned [Bu,C] after distribution alignment
   * @param guess [Bu,C] sharpened aligned probabilities, q
   * @param targets [N,C] targets before mixing: [onehot(y); q; q; q]
   * @param mixedTargets [N,C]
   * @param ramp scalar w_t
   * @param lossRot scalar (0 without the rotation head)
   */
  public record Terms(
      Operand<TFloat32> probs,
      Operand<TFloat32> aligned,
      Operand<TFloat32> guess,
      Operand<TFloat32> targets,
      Operand<TFloat32> mixedTargets,
      Operand<TFloat32> ramp,
      Operand<TFloat32> lossX,
      Operand<TFloat32> lossU,
      Operand<TFloat32> lossU1,
      Operand<TFloat32> lossRot,
      Operand<TFloat32> loss,
      Function<List<Op>, List<Op>> stateUpdates) {}

  /**
   * The mixed inputs X' = MixUp([x; s_0; ...; s_{K-1}; w]); used by {@link #build} and by the
   * reference-vector check.
   */
  public static Operand<TFloat32> mixInputs(
      Ops tf,
      Operand<TFloat32> x,
      List<Operand<TFloat32>> strong,
      Operand<TFloat32> weak,
      Operand<TFloat32> lambda,
      Operand<TInt32> perm) {
    List<Operand<TFloat32>> groups = new ArrayList<>();
    groups.add(x);
    groups.addAll(strong);
    groups.add(weak);
    return MixUp.mix(tf, tf.concat(groups, tf.constant(0)), lambda, perm);
  }

  /**
   * The objective; used by {@link #build} and by the reference-vector check. Gradients flow only
   * into logitsMixed, logitsUS0 and logitsRot.
   */
  public Terms objective(Ops tf, State state, Inputs in) {
    Operand<TFloat32> p = tf.nn.softmax(tf.stopGradient(in.logitsUW())); // [Bu,C]
    DistributionAlignment.Step da = state.alignment().align(p);
    Operand<TFloat32> q = Sharpen.of(tf, da.aligned(), sharpenT); // [Bu,C]

    // Augmentation anchoring: the weak view's guess is the target of every strong view and of the
    // weak view itself, in the row order of mixInputs.
    List<Operand<TFloat32>> groups = new ArrayList<>();
    groups.add(tf.oneHot(in.labelsX(), tf.constant(numClasses), tf.constant(1f), tf.constant(0f)));
    groups.addAll(Collections.nCopies(STRONG_VIEWS + 1, q));
    Operand<TFloat32> targets = tf.concat(groups, tf.constant(0)); // [N,C]
    Operand<TFloat32> mixed = MixUp.mix(tf, targets, in.lambda(), in.perm()); // [N,C]

    Operand<TInt32> bx = Batches.size(tf, in.labelsX());
    Operand<TInt32> rest = tf.math.sub(Batches.size(tf, in.logitsMixed()), bx);
    Operand<TInt32> zero = tf.constant(0);
    Operand<TFloat32> lossX =
        meanCe(tf, Batches.rows(tf, in.logitsMixed(), zero, bx), Batches.rows(tf, mixed, zero, bx));
    Operand<TFloat32> lossU =
        meanCe(tf, Batches.rows(tf, in.logitsMixed(), bx, rest), Batches.rows(tf, mixed, bx, rest));
    Operand<TFloat32> lossU1 = meanCe(tf, in.logitsUS0(), q);
    Operand<TFloat32> lossRot =
        in.logitsRot() == null
            ? tf.constant(0f)
            : tf.math.mean(
                CrossEntropy.hard(tf, in.logitsRot(), in.rotation(), RotationHead.ROTATIONS), zero);
    Operand<TFloat32> w = LinearRamp.of(tf, in.step(), rampSteps);

    Operand<TFloat32> unlabeled =
        tf.math.add(
            tf.math.mul(tf.constant(lambdaKl), lossU1), tf.math.mul(tf.constant(lambdaU), lossU));
    Operand<TFloat32> loss =
        tf.math.add(
            tf.math.add(lossX, tf.math.mul(w, unlabeled)),
            tf.math.mul(tf.constant(lambdaRot), lossRot));
    return new Terms(
        p, da.aligned(), q, targets, mixed, w, lossX, lossU, lossU1, lossRot, loss,
        da.stateUpdates());
  }

  private static Operand<TFloat32> meanCe(
      Ops tf, Operand<TFloat32> logits, Operand<TFloat32> targets) {
    return tf.math.mean(CrossEntropy.soft(tf, logits, targets), tf.constant(0));
  }

  @Override
  public Objective build(Ops tf, Network online, Network ema, StepInputs in) {
    if (in.uStrongViews().size() != STRONG_VIEWS) {
      throw new IllegalArgumentException(
          "ReMixMatch needs " + STRONG_VIEWS + " strong views, got " + in.uStrongViews().size());
    }
    Operand<TInt32> bx = Batches.size(tf, in.x());
    Placeholder<TFloat32> lambda =
        tf.withName("mixup_lambda").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
    Placeholder<TInt32> perm =
        tf.withName("mixup_perm").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));

    // The guess: the weak views in training mode, running statistics left alone.
    Network.Outputs weak = online.forward(in.uWeak(), true);
    Operand<TFloat32> logitsUW = tf.stopGradient(weak.logits());
    Operand<TFloat32> logitsUS0 = online.forward(in.uStrong(), true).logits();

    // The mixed batch in chunks of Bx rows, one forward each; the first chunk's BN statistics are
    // the only ones kept.
    Operand<TFloat32> mixedInputs =
        mixInputs(tf, in.x(), in.uStrongViews(), in.uWeak(), lambda, perm);
    int chunks = mixedRows() / batchSize;
    List<Operand<TFloat32>> chunkLogits = new ArrayList<>();
    List<Op> statistics = List.of();
    for (int i = 0; i < chunks; i++) {
      Operand<TInt32> start = tf.math.mul(bx, tf.constant(i));
      Network.Outputs out = online.forward(Batches.rows(tf, mixedInputs, start, bx), true);
      chunkLogits.add(out.logits());
      if (i == 0) {
        statistics = out.statisticUpdates();
      }
    }
    Operand<TFloat32> logitsMixed = tf.concat(chunkLogits, tf.constant(0));

    Operand<TFloat32> logitsRot = null;
    if (usesRotatedView()) {
      if (in.uRotated() == null || in.uRotation() == null) {
        throw new IllegalArgumentException("ReMixMatch with lambda_rot > 0 needs the rotated view");
      }
      int features = (int) weak.features().shape().get(1);
      RotationHead head = new RotationHead(online.params(), seed, features);
      if (ema != null) {
        // The EMA network carries the head too (USB's EMA model is a ReMixMatch_Net), unused.
        new RotationHead(ema.params(), seed, features);
      }
      logitsRot = head.apply(online.forward(in.uRotated(), true).features());
    }

    Terms t =
        objective(
            tf,
            createState(tf),
            new Inputs(
                in.y(), logitsUW, logitsMixed, logitsUS0, logitsRot, in.uRotation(), lambda, perm,
                in.step()));

    Map<String, Operand<TFloat32>> metrics = new LinkedHashMap<>();
    metrics.put("loss_x", t.lossX());
    metrics.put("loss_u", t.lossU());
    metrics.put("loss_u1", t.lossU1());
    metrics.put("loss_rot", tf.identity(t.lossRot()));
    metrics.put("unsup_warmup", tf.identity(t.ramp()));
    metrics.put("mixup_lambda", tf.identity(lambda));
    metrics.put("pseudo_label_acc", MaskedAccuracy.of(tf, t.guess(), in.uLabels(), null));
    metrics.put("unlabeled_acc", MaskedAccuracy.of(tf, logitsUW, in.uLabels(), null));
    int rows = mixedRows();
    StepFeeds feeds =
        step -> {
          MixUp.Draw d = MixUp.draw(seed, step, rows, mixupAlpha);
          Map<Operand<?>, Tensor> values = new LinkedHashMap<>();
          values.put(lambda, TFloat32.scalarOf(d.lambda()));
          values.put(perm, TInt32.tensorOf(Shape.of(rows), DataBuffers.of(d.perm(), true, false)));
          return values;
        };
    return new Objective(t.loss(), metrics, statistics, t.stateUpdates(), feeds);
  }
}

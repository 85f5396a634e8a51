package dev.simmatch.algorithms;

import dev.simmatch.config.Config;
import dev.simmatch.model.Network;
import dev.simmatch.ops.BankSimilarity;
import dev.simmatch.ops.ConfidenceMask;
import dev.simmatch.ops.CrossEntropy;
import dev.simmatch.ops.DistributionAlignment;
import dev.simmatch.ops.LabelPropagation;
import dev.simmatch.ops.MaskedAccuracy;
import dev.simmatch.ops.MemoryBank;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * SimMatch (Zheng et al., CVPR 2022): FixMatch-style pseudo-labels refined by similarities to a
 * memory bank of labeled embeddings, plus an instance-similarity loss. With C classes, K bank rows,
 * D embedding size, Bx labeled and Bu unlabeled images:
 *
 * <pre>
 *   p      = DA(softmax(teacher logits of the weak view))                [Bu,C]
 *   q_w    = softmax(z_w . bank^T / t_teacher)                           [Bu,K]
 *   q_hat  = normalise(q_w[b,k] * p[b, bank_labels[k]])                  [Bu,K]  (unfolding)
 *   p_hat  = alpha * p + (1 - alpha) * sum_{k: label c} q_w[b,k]         [Bu,C]  (aggregation)
 *   q_s    = softmax(z_s . bank^T / t_student)                           [Bu,K]
 *   mask   = 1[max_c p_hat >= tau]                                       [Bu]
 *   loss   = CE(logits_x, y) + lambda_u * mean mask * CE(logits_s, p_hat)
 *            + lambda_in * mean sum_k -q_hat log q_s
 * </pre>
 *
 * Before {@code warmup_steps} (the reference's first epoch) the instance loss is 0 and p_hat = p.
 * The bank read by the step is the one from before the step; afterwards the labeled batch's teacher
 * embeddings are written at its indices (overwrite or momentum).
 *
 * <p>Teachers. {@code online} (USB, CIFAR): one training-mode forward over (labeled, weak, strong),
 * the teacher outputs are the same network's outputs, detached. {@code ema} (official ImageNet
 * code): the student forward covers (labeled, strong) only, and the EMA network runs on (labeled,
 * weak) in training mode, i.e. with batch statistics, since the official trainer calls {@code
 * model.train()} on the module holding both networks and runs without its {@code --eman} option;
 * the EMA weights are those from before this step (the official code moves them after the optimizer
 * step). The EMA network's own BN running statistics are not updated here: the trainer copies the
 * online model's statistics into it.
 */
public final class SimMatch implements Algorithm {
  public static final String NAME = "simmatch";

  /** Source of the pseudo-labels and of the bank embeddings. */
  private enum Teacher {
    ONLINE,
    EMA
  }

  private final Config.Algorithm cfg;
  private final int numClasses;
  private final int bankSize;
  private final int embeddingDim;
  private final long seed;
  private final float[] labeledDistribution;
  private final Teacher teacher;
  private final MemoryBank.Update bankUpdate;
  private final float tau;
  private final float lambdaU;
  private final float lambdaIn;
  private final float tTeacher;
  private final float tStudent;
  private final float alpha;
  private final float bankMomentum;

  /**
   * @param config resolved configuration (algorithm keys; train.seed seeds the bank)
   * @param numClasses C
   * @param bankSize K, the number of labeled images
   * @param embeddingDim D, the projection size
   * @param labeledDistribution class distribution of the labeled set [C], for {@code da: ema} with
   *     {@code da_target: labeled}; may be null otherwise
   */
  public SimMatch(
      Config config, int numClasses, int bankSize, int embeddingDim, float[] labeledDistribution) {
    this.cfg = config.algorithm();
    this.numClasses = numClasses;
    this.bankSize = bankSize;
    this.embeddingDim = embeddingDim;
    this.seed = config.train().seed();
    this.labeledDistribution = labeledDistribution == null ? null : labeledDistribution.clone();
    this.teacher =
        Checks.choice("teacher", cfg.teacher(), "online", "ema").equals("online")
            ? Teacher.ONLINE
            : Teacher.EMA;
    this.bankUpdate =
        Checks.choice("bank_update", cfg.bankUpdate(), "overwrite", "momentum").equals("overwrite")
            ? MemoryBank.Update.OVERWRITE
            : MemoryBank.Update.MOMENTUM;
    this.tau = Checks.probability("tau", cfg.tau());
    this.lambdaU = Checks.nonNegative("lambda_u", cfg.lambdaU());
    this.lambdaIn = Checks.nonNegative("lambda_in", cfg.lambdaIn());
    this.tTeacher = Checks.positive("t_teacher", cfg.tTeacher());
    this.tStudent = Checks.positive("t_student", cfg.tStudent());
    this.alpha = Checks.probability("alpha", cfg.alpha());
    this.bankMomentum = Checks.probability("bank_momentum", cfg.bankMomentum());
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

  /** The graph state of SimMatch: the labeled memory bank and the distribution alignment. */
  public record State(MemoryBank bank, DistributionAlignment alignment) {}

  /** Creates the state variables, named {@code simmatch/bank}, {@code simmatch/da_queue}, .... */
  public State createState(Ops tf) {
    Ops scope = tf.withSubScope(NAME);
    return new State(
        new MemoryBank(scope, bankSize, embeddingDim, bankUpdate, bankMomentum, seed),
        Alignments.create(scope, cfg, numClasses, labeledDistribution));
  }

  /**
   * Network outputs of one step, as the objective consumes them.
   *
   * @param logitsX [Bx,C] student logits of the labeled batch
   * @param labelsX [Bx]
   * @param indexX [Bx] bank rows of the labeled batch
   * @param logitsUS [Bu,C] student logits of the strong views
   * @param featsUS [Bu,D] student embeddings of the strong views (unit rows)
   * @param teacherLogitsUW [Bu,C] teacher logits of the weak views
   * @param teacherFeatsUW [Bu,D] teacher embeddings of the weak views
   * @param bankFeatsX [Bx,D] teacher embeddings of the labeled batch, written into the bank
   * @param startUnlabel scalar, false during warm-up
   */
  public record Inputs(
      Operand<TFloat32> logitsX,
      Operand<TInt32> labelsX,
      Operand<TInt32> indexX,
      Operand<TFloat32> logitsUS,
      Operand<TFloat32> featsUS,
      Operand<TFloat32> teacherLogitsUW,
      Operand<TFloat32> teacherFeatsUW,
      Operand<TFloat32> bankFeatsX,
      Operand<TBool> startUnlabel) {}

  /**
   * The tensors of one step's objective.
   *
   * @param pDa [Bu,C] aligned teacher probabilities
   * @param qHat [Bu,K] calibrated instance pseudo-labels
   * @param pHat [Bu,C] class pseudo-labels after aggregation (pDa during warm-up)
   * @param mask [Bu]
   * @param lossInPerSample [Bu] (zeros during warm-up)
   * @param stateUpdates bank and alignment writes, waiting for the given ops
   */
  public record Terms(
      Operand<TFloat32> pDa,
      Operand<TFloat32> qHat,
      Operand<TFloat32> pHat,
      Operand<TFloat32> mask,
      Operand<TFloat32> lossInPerSample,
      Operand<TFloat32> lossX,
      Operand<TFloat32> lossU,
      Operand<TFloat32> lossIn,
      Operand<TFloat32> loss,
      Function<List<Op>, List<Op>> stateUpdates) {}

  /**
   * The objective; used by {@link #build} and by the reference-vector check. Gradients flow only
   * into logitsX, logitsUS and featsUS.
   */
  public Terms objective(Ops tf, State state, Inputs in) {
    Operand<TFloat32> bank = state.bank().embeddings(); // [K,D], before this step
    Operand<TInt32> bankLabels = state.bank().labels(); // [K]
    Operand<TFloat32> teacherFeats = tf.stopGradient(in.teacherFeatsUW());

    DistributionAlignment.Step da =
        state.alignment().align(tf.nn.softmax(tf.stopGradient(in.teacherLogitsUW())));
    Operand<TFloat32> p = da.aligned(); // [Bu,C]

    Operand<TFloat32> qW = BankSimilarity.probabilities(tf, teacherFeats, bank, tTeacher); // [Bu,K]
    Operand<TFloat32> qHat = LabelPropagation.unfold(tf, p, qW, bankLabels); // [Bu,K]
    Operand<TFloat32> qAgg = LabelPropagation.aggregate(tf, qW, bankLabels, numClasses); // [Bu,C]
    Operand<TFloat32> pHat =
        tf.select(in.startUnlabel(), LabelPropagation.mix(tf, p, qAgg, alpha), p);

    Operand<TFloat32> mask = ConfidenceMask.of(tf, pHat, tau);
    Operand<TFloat32> lossX =
        tf.math.mean(CrossEntropy.hard(tf, in.logitsX(), in.labelsX(), numClasses), tf.constant(0));
    Operand<TFloat32> lossU =
        tf.math.mean(tf.math.mul(mask, CrossEntropy.soft(tf, in.logitsUS(), pHat)), tf.constant(0));

    Operand<TFloat32> logQs =
        BankSimilarity.logProbabilities(tf, in.featsUS(), bank, tStudent); // [Bu,K]
    Operand<TFloat32> inPerSample =
        tf.math.neg(tf.reduceSum(tf.math.mul(tf.stopGradient(qHat), logQs), tf.constant(1)));
    Operand<TFloat32> lossInPerSample =
        tf.select(in.startUnlabel(), inPerSample, tf.zerosLike(inPerSample));
    Operand<TFloat32> lossIn = tf.math.mean(lossInPerSample, tf.constant(0));

    Operand<TFloat32> loss =
        tf.math.add(
            lossX,
            tf.math.add(
                tf.math.mul(tf.constant(lambdaU), lossU),
                tf.math.mul(tf.constant(lambdaIn), lossIn)));

    MemoryBank memory = state.bank();
    Function<List<Op>, List<Op>> updates =
        waitFor -> {
          List<Op> ops =
              new ArrayList<>(memory.update(in.bankFeatsX(), in.labelsX(), in.indexX(), waitFor));
          ops.addAll(da.stateUpdates().apply(waitFor));
          return ops;
        };
    return new Terms(p, qHat, pHat, mask, lossInPerSample, lossX, lossU, lossIn, loss, updates);
  }

  @Override
  public Objective build(Ops tf, Network online, Network ema, StepInputs in) {
    // The global batch sizes, from the labels: in a multi-worker run the images are this worker's rows.
    Operand<TInt32> bx = Batches.size(tf, in.y());
    Operand<TInt32> bu = Batches.size(tf, in.uLabels());
    Operand<TInt32> zero = tf.constant(0);
    Network.Outputs student;
    Operand<TFloat32> logitsX;
    Operand<TFloat32> logitsUS;
    Operand<TFloat32> featsUS;
    Operand<TFloat32> teacherLogitsUW;
    Operand<TFloat32> teacherFeatsUW;
    Operand<TFloat32> bankFeatsX;
    if (teacher == Teacher.ONLINE) {
      // [Bx + 2Bu, ...]: labeled, weak, strong; the weak rows and the labeled embeddings are the
      // teacher.
      student = online.forwardParts(List.of(in.x(), in.uWeak(), in.uStrong()), true);
      Operand<TInt32> strongStart = tf.math.add(bx, bu);
      logitsX = Batches.rows(tf, student.logits(), zero, bx);
      logitsUS = Batches.rows(tf, student.logits(), strongStart, bu);
      featsUS = Batches.rows(tf, student.embedding(), strongStart, bu);
      teacherLogitsUW = Batches.rows(tf, student.logits(), bx, bu);
      teacherFeatsUW = Batches.rows(tf, student.embedding(), bx, bu);
      bankFeatsX = Batches.rows(tf, student.embedding(), zero, bx);
    } else {
      if (ema == null) {
        throw new IllegalArgumentException("SimMatch with teacher 'ema' needs the EMA network");
      }
      // Student [Bx + Bu]: labeled, strong. Teacher [Bx + Bu]: labeled, weak.
      student = online.forwardParts(List.of(in.x(), in.uStrong()), true);
      // Replicated: the teacher's BN batches are a random split of (labeled, weak) across replicas.
      Network.Outputs t = ema.forwardShuffled(List.of(in.x(), in.uWeak()), true, in.step());
      logitsX = Batches.rows(tf, student.logits(), zero, bx);
      logitsUS = Batches.rows(tf, student.logits(), bx, bu);
      featsUS = Batches.rows(tf, student.embedding(), bx, bu);
      teacherLogitsUW = Batches.rows(tf, t.logits(), bx, bu);
      teacherFeatsUW = Batches.rows(tf, t.embedding(), bx, bu);
      bankFeatsX = Batches.rows(tf, t.embedding(), zero, bx);
    }
    teacherLogitsUW = tf.stopGradient(teacherLogitsUW);
    Operand<TBool> startUnlabel =
        tf.math.greaterEqual(in.step(), tf.constant((long) cfg.warmupSteps()));

    Terms t =
        objective(
            tf,
            createState(tf),
            new Inputs(
                logitsX,
                in.y(),
                in.indexX(),
                logitsUS,
                featsUS,
                teacherLogitsUW,
                teacherFeatsUW,
                bankFeatsX,
                startUnlabel));

    Map<String, Operand<TFloat32>> metrics = new LinkedHashMap<>();
    metrics.put("loss_x", t.lossX());
    metrics.put("loss_u", t.lossU());
    metrics.put("loss_in", t.lossIn());
    metrics.put("mask_ratio", tf.math.mean(t.mask(), zero));
    metrics.put("pseudo_label_acc", MaskedAccuracy.of(tf, t.pHat(), in.uLabels(), t.mask()));
    metrics.put("unlabeled_acc", MaskedAccuracy.of(tf, teacherLogitsUW, in.uLabels(), null));
    return new Objective(t.loss(), metrics, student.statisticUpdates(), t.stateUpdates());
  }
}

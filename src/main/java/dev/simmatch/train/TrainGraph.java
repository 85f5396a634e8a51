package dev.simmatch.train;

import dev.simmatch.UserInputException;
import dev.simmatch.algorithms.Algorithm;
import dev.simmatch.algorithms.Objective;
import dev.simmatch.algorithms.StepFeeds;
import dev.simmatch.algorithms.StepInputs;
import dev.simmatch.config.Config;
import dev.simmatch.config.Precision;
import dev.simmatch.distributed.Collectives;
import dev.simmatch.distributed.TfConfig;
import dev.simmatch.model.Network;
import dev.simmatch.model.Networks;
import dev.simmatch.model.Params;
import dev.simmatch.model.ReplicatedNetwork;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.DeviceSpec;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The whole training graph, built once: placeholders, the online network and its EMA copy, the
 * algorithm's objective, gradients over the online trainable variables only, SGD, the EMA update,
 * algorithm state updates, the step counter, and inference-mode logits of both networks for
 * evaluation. One {@code session.run} of {@link #trainOp} takes one step.
 */
public final class TrainGraph implements AutoCloseable {
  /** The collective group of a multi-worker run's workers. */
  private static final int GROUP_KEY = 1;
  /** Gradient all-reduce bucket size, DDP's default (bucket_cap_mb = 25). */
  private static final long ALLREDUCE_BUCKET_BYTES = 25L << 20;
  public final Graph graph;
  public final Ops tf;
  public final Placeholder<TFloat32> x;
  public final Placeholder<TInt32> y;
  public final Placeholder<TInt32> indexX;
  public final Placeholder<TFloat32> uWeak;
  /** The first strong view; {@link #uStrongViews} holds all K. */
  public final Placeholder<TFloat32> uStrong;
  public final List<Placeholder<TFloat32>> uStrongViews;
  /** The rotated first strong view and its rotation r (0..3), fed when the algorithm uses them. */
  public final Placeholder<TFloat32> uRotated;
  public final Placeholder<TInt32> uRotation;
  public final Placeholder<TInt32> uLabels;
  public final Placeholder<TFloat32> evalImages;
  public final Network online;
  public final Network ema;
  public final Operand<TFloat32> loss;
  public final Operand<TFloat32> learningRate;
  public final Operand<TInt64> step;
  /** Scalar monitors fetched every step (loss terms, mask ratio, pseudo-label accuracy...). */
  public final Map<String, Operand<TFloat32>> metrics;
  public final Op trainOp;
  /** Loads weights from train.init_from (null when not set). */
  final InitFrom initFrom;
  /** Host-side values the algorithm feeds at each step (MixUp draws). */
  public final StepFeeds stepFeeds;
  /** Assigns the EMA copy from the online weights (once, after initialisation). */
  public final List<Op> emaCopy;
  public final Operand<TFloat32> evalLogitsRaw;
  public final Operand<TFloat32> evalLogitsEma;
  public final Operand<TFloat32> evalEmbeddingEma;
  /** Pooled encoder features [N,D] of the online weights in inference mode (k-NN monitor). */
  public final Operand<TFloat32> evalFeaturesRaw;
  /**
   * Multi-worker runs: [W, V] the sum of each of the V variables that must be equal on every worker
   * (all but the BN running statistics, which DDP keeps per process), gathered from the W workers;
   * null in one process. Compared by {@link WorkerAgreement}.
   */
  public final Operand<TFloat64> agreement;
  /** The names of the V variables of {@link #agreement}, in its column order. */
  public final List<String> agreementNames;

  /** The graph in train.precision as resolved on this CPU. */
  public TrainGraph(Config cfg, Algorithm algorithm, int h, int w, int c, int numClasses) {
    this(cfg, algorithm, h, w, c, numClasses, Precision.resolve(cfg.train().precision()).precision());
  }

  /**
   * @param precision arithmetic of the networks' convolutions and matrix products (already resolved;
   *     train.precision is not read)
   */
  public TrainGraph(Config cfg, Algorithm algorithm, int h, int w, int c, int numClasses, Precision precision) {
    this(cfg, algorithm, h, w, c, numClasses, precision, null);
  }

  /**
   * @param cluster the workers of a multi-worker run (this graph is this worker's), or null: every
   *     worker is fed the whole global batch and computes its own rows (see {@link
   *     ReplicatedNetwork#acrossWorkers}); the gradients are summed over the workers by collective ops
   */
  public TrainGraph(
      Config cfg, Algorithm algorithm, int h, int w, int c, int numClasses, Precision precision, TfConfig cluster) {
    graph = new Graph();
    tf = Ops.create(graph);
    Shape images = Shape.of(-1, h, w, c);
    x = tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(images));
    y = tf.withName("y").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
    indexX = tf.withName("index_x").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
    uWeak = tf.withName("u_weak").placeholder(TFloat32.class, Placeholder.shape(images));
    List<Placeholder<TFloat32>> strong = new ArrayList<>();
    for (int k = 0; k < Math.max(1, algorithm.strongViews()); k++) {
      strong.add(tf.withName(k == 0 ? "u_strong" : "u_strong_" + k).placeholder(TFloat32.class, Placeholder.shape(images)));
    }
    uStrongViews = List.copyOf(strong);
    uStrong = uStrongViews.get(0);
    uRotated = tf.withName("u_rotated").placeholder(TFloat32.class, Placeholder.shape(images));
    uRotation = tf.withName("u_rotation").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
    uLabels = tf.withName("u_labels").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
    evalImages = tf.withName("eval_images").placeholder(TFloat32.class, Placeholder.shape(images));

    Variable<TInt64> stepVar = tf.withName("global_step").variable(tf.constant(0L));
    step = tf.withName("global_step_read").identity(stepVar);

    // Instance keys follow build order, which is the same on every worker.
    Collectives collectives =
        cluster == null ? null : new Collectives(tf, cluster.size(), GROUP_KEY);
    online = replicated(tf, cfg, new Params(tf, "", precision), numClasses, c, cluster, collectives);
    ema = replicated(tf, cfg, new Params(tf, "ema/", precision), numClasses, c, cluster, collectives);

    initFrom = cfg.train().initFrom() == null ? null : new InitFrom(tf, online.params(), cfg.train());

    Objective objective =
        algorithm.build(tf, online, ema, new StepInputs(x, y, indexX, uWeak, List.copyOf(uStrongViews),
            algorithm.usesRotatedView() ? uRotated : null, algorithm.usesRotatedView() ? uRotation : null, uLabels,
            step));
    stepFeeds = objective.feeds();
    loss = objective.loss();
    metrics = new LinkedHashMap<>(objective.metrics());
    learningRate =
        LearningRate.build(tf, step, cfg.train(), algorithm.scalingBatch(cfg.train().batchSize(), cfg.train().mu()));

    List<Op> readers = new ArrayList<>();
    readers.add(loss);
    readers.addAll(metrics.values());
    List<Params.Entry> trainable = online.params().trainable();
    // With replicas the loss is the mean over all of them: its gradient is the replicas' average.
    List<Operand<TFloat32>> grads =
        cfg.train().replicas() > 1
            ? DeviceGradients.of(graph, loss, trainable, "replica_gradients")
            : Gradients.of(tf, loss, trainable);
    if (collectives != null) {
      // Each worker's gradient is its rows' share of the whole batch's: the full gradient is their sum.
      grads = collectives.sumBucketed(grads, ALLREDUCE_BUCKET_BYTES);
    }
    readers.addAll(grads.stream().filter(g -> g != null).toList());

    // The optimizer and the state updates overwrite what the forward pass read, so they wait for it.
    List<Op> applies = optimizer(tf.withControlDependencies(readers), trainable, grads, learningRate, cfg.train());
    List<Op> stats = objective.statisticUpdates();
    List<Op> stateUpdates = objective.stateUpdates().apply(readers);
    List<Op> afterParams = new ArrayList<>(applies);
    afterParams.addAll(stats);
    Ema shadow = new Ema(tf, online.params(), ema.params(), cfg.train().ema(), afterParams);
    emaCopy = shadow.copyOps();

    List<Op> all = new ArrayList<>(afterParams);
    all.addAll(stateUpdates);
    all.addAll(shadow.updateOps());
    Op increment = tf.withControlDependencies(all).assignAdd(stepVar, tf.constant(1L));
    trainOp = tf.withName("train_op").withControlDependencies(List.of(increment)).noOp();

    Network.Outputs rawEval = online.forward(evalImages, false);
    evalLogitsRaw = rawEval.logits();
    evalFeaturesRaw = rawEval.features();
    Network.Outputs emaEval = ema.forward(evalImages, false);
    evalLogitsEma = emaEval.logits();
    evalEmbeddingEma = emaEval.embedding();

    if (collectives == null) {
      agreement = null;
      agreementNames = List.of();
    } else {
      Set<String> perWorker = new HashSet<>();
      for (Network n : List.of(online, ema)) {
        n.params().all().stream().filter(e -> e.kind() == Params.Kind.STATISTIC)
            .forEach(e -> perWorker.add(e.variable().op().name()));
      }
      List<String> names = new ArrayList<>();
      List<Operand<TFloat64>> sums = new ArrayList<>();
      graph.operations().forEachRemaining(op -> {
        if (op.type().equals("VariableV2") && !perWorker.contains(op.name())) {
          Operand<TFloat64> v = tf.dtypes.cast(op.output(0), TFloat64.class);
          names.add(op.name());
          sums.add(tf.sum(v, tf.range(tf.constant(0), tf.rank(v), tf.constant(1))));
        }
      });
      agreementNames = List.copyOf(names);
      agreement = tf.reshape(collectives.gather(tf.expandDims(tf.stack(sums), tf.constant(0))),
          tf.constant(new int[] {cluster.size(), names.size()}));
    }
  }

  /**
   * The network over {@code params}; with train.replicas R > 1, R replicas sharing its variables; in
   * a multi-worker run, this worker's replica of W.
   */
  private static Network replicated(
      Ops tf, Config cfg, Params params, int numClasses, int channels, TfConfig cluster, Collectives collectives) {
    Network base = Networks.create(params, cfg.model().arch(), numClasses, channels, cfg.model(), cfg.train().seed());
    if (cluster != null) {
      return ReplicatedNetwork.acrossWorkers(
          tf, base, cluster.index(), cluster.size(), collectives::gather, cfg.train().seed());
    }
    if (cfg.train().replicas() <= 1) {
      return base;
    }
    return ReplicatedNetwork.of(
        tf, base, devices(cfg.train()), cfg.model().arch(), numClasses, channels, cfg.model(), cfg.train().seed());
  }

  /** One device per replica: /device:CPU:r (virtual CPU devices, see {@link Trainer#sessionConfig}) or GPU:r. */
  static List<DeviceSpec> devices(Config.Train cfg) {
    DeviceSpec.DeviceType type = "gpu".equals(cfg.replicaDevice()) ? DeviceSpec.DeviceType.GPU : DeviceSpec.DeviceType.CPU;
    List<DeviceSpec> out = new ArrayList<>();
    for (int r = 0; r < cfg.replicas(); r++) {
      out.add(DeviceSpec.newBuilder().deviceType(type).deviceIndex(r).build());
    }
    return out;
  }

  /** The update ops of {@code train.optimizer}. */
  static List<Op> optimizer(
      Ops tf, List<Params.Entry> vars, List<Operand<TFloat32>> grads, Operand<TFloat32> lr, Config.Train cfg) {
    return switch (cfg.optimizer() == null ? "" : cfg.optimizer()) {
      case "sgd" -> SgdNesterov.apply(tf, vars, grads, lr, cfg);
      case "lars" -> Lars.apply(tf, vars, grads, lr, cfg.momentum(), cfg.weightDecay(), cfg.larsEeta(),
          Lars.patterns("train.lars_exclude", cfg.larsExclude()),
          Lars.patterns("train.lars_plain_decay", cfg.larsPlainDecay())).updates();
      default -> throw new UserInputException("train.optimizer: unknown optimizer '" + cfg.optimizer() + "', expected sgd or lars");
    };
  }

  @Override
  public void close() {
    graph.close();
  }
}

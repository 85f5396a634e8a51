package dev.simmatch.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.simmatch.StorageException;
import dev.simmatch.UserInputException;
import dev.simmatch.algorithms.Algorithm;
import dev.simmatch.algorithms.AlgorithmRegistry;
import dev.simmatch.algorithms.Alignments;
import dev.simmatch.config.Config;
import dev.simmatch.config.ConfigChecks;
import dev.simmatch.config.ConfigLoader;
import dev.simmatch.config.CpuFlags;
import dev.simmatch.config.Precision;
import dev.simmatch.data.Dataset;
import dev.simmatch.data.DatasetBundle;
import dev.simmatch.data.DatasetInfo;
import dev.simmatch.data.Datasets;
import dev.simmatch.data.LabeledSplit;
import dev.simmatch.data.Normalizer;
import dev.simmatch.data.SslBatch;
import dev.simmatch.data.SslBatcher;
import dev.simmatch.data.Views;
import dev.simmatch.distributed.Peers;
import dev.simmatch.distributed.StepWatchdog;
import dev.simmatch.distributed.TfConfig;
import dev.simmatch.distributed.WorkerSession;
import dev.simmatch.io.Durable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Runs a training job: data, graph, the step loop, periodic evaluation and checkpoints, and the
 * final {@code result.json}. The loop is deliberately plain: one batch from the pipeline, one
 * session run, bookkeeping of the fetched scalars.
 */
public final class Trainer {
  private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);
  /** Neighbours of the k-NN monitor. */
  public static final int KNN_K = 20;
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Config cfg;
  private final Path runDir;
  private final boolean resume;
  private final Path resumeFrom;
  private final Set<String> cpuFlags;
  private final List<TrainingListener> listeners = new ArrayList<>();
  /** The workers of a multi-worker run (TF_CONFIG), or null. */
  private TfConfig cluster;

  /**
   * @param runDir the run directory (created if missing)
   * @param resume continue from the latest checkpoint in runDir
   */
  public Trainer(Config cfg, Path runDir, boolean resume) {
    this(cfg, runDir, resume, null);
  }

  /**
   * @param resumeFrom a checkpoint directory to continue from instead of the latest one (implies
   *     resume), or null
   */
  public Trainer(Config cfg, Path runDir, boolean resume, Path resumeFrom) {
    this(cfg, runDir, resume, resumeFrom, CpuFlags.local());
  }

  /** @param cpuFlags the CPU flags train.precision is resolved against (tests choose them) */
  Trainer(Config cfg, Path runDir, boolean resume, Path resumeFrom, Set<String> cpuFlags) {
    this.cfg = cfg;
    this.runDir = runDir;
    this.resume = resume || resumeFrom != null;
    this.resumeFrom = resumeFrom;
    this.cpuFlags = cpuFlags;
  }

  public Trainer listen(TrainingListener l) {
    listeners.add(l);
    return this;
  }

  /**
   * Makes this process one worker of a multi-worker run: it starts the worker's gRPC server, trains
   * its rows of every global batch with the gradients summed over the workers, and, unless it is the
   * chief (worker 0), writes nothing: the chief alone writes checkpoints, metrics, TensorBoard,
   * evaluations and result.json into the run directory, from which every worker restores on resume.
   *
   * @throws UserInputException when the config does not fit the cluster's size
   */
  public Trainer inCluster(TfConfig cluster) {
    ConfigChecks.checkWorkers(cfg, cluster.size(), TfConfig.ENV + " with config " + cfg.runName());
    this.cluster = cluster;
    return this;
  }

  private boolean chief() {
    return cluster == null || cluster.chief();
  }

  /** The run directory a config trains into: {@code train.runs_dir/<run name>}. */
  public static Path defaultRunDir(Config cfg) {
    return Path.of(cfg.train().runsDir()).resolve(cfg.runName());
  }

  /** Session options: train.threads intra-op threads, one inter-op thread. */
  public static ConfigProto sessionConfig(int threads) {
    return ConfigProto.newBuilder()
        .setIntraOpParallelismThreads(threads)
        .setInterOpParallelismThreads(1)
        .build();
  }

  /**
   * Session options of a training run: as {@link #sessionConfig(int)}; with train.replicas R > 1 on
   * CPUs, R virtual CPU devices (which share the intra-op threads), and one inter-op thread per
   * replica so that the replicas' ops can run side by side; on GPUs, soft placement for ops without
   * a GPU kernel.
   */
  public static ConfigProto sessionConfig(Config.Train t) {
    if (t.replicas() <= 1) {
      return sessionConfig(t.threads());
    }
    ConfigProto.Builder b =
        ConfigProto.newBuilder().setIntraOpParallelismThreads(t.threads()).setInterOpParallelismThreads(t.replicas());
    if ("gpu".equals(t.replicaDevice())) {
      b.setAllowSoftPlacement(true);
    } else {
      b.putDeviceCount("CPU", t.replicas());
    }
    return b.build();
  }

  /** @return the result; null on a worker other than the chief (which writes none) */
  public TrainResult run() {
    if (!chief()) {
      try {
        return train();
      } finally {
        listeners.forEach(TrainingListener::onClose);
      }
    }
    try (RunLock lock = RunLock.acquire(runDir)) {
      Checkpoints.recover(runDir);
      return train();
    } catch (UncheckedIOException e) {
      throw new StorageException(Checkpoints.firstLine(e) + "; " + intactCheckpoint(), e);
    } finally {
      listeners.forEach(TrainingListener::onClose);
    }
  }

  private String intactCheckpoint() {
    try {
      return Checkpoints.latest(runDir)
          .map(p -> "the latest checkpoint " + p + " is intact: fix the cause, then continue with `train --resume`")
          .orElse("the run has no checkpoint yet");
    } catch (UserInputException e) {
      return e.getMessage();
    }
  }

  /**
   * Everything a run does before its first step except writing the run directory: the config
   * against the data, the labeled split, the views and the training graph (built, never run).
   *
   * @return the labeled split the run would use
   */
  public LabeledSplit check() {
    DatasetBundle data = Datasets.load(cfg.data());
    Dataset train = data.train();
    checkBatchMemory(train);
    LabeledSplit split = LabeledSplit.forConfig(cfg.data(), train);
    int numClasses = train.numClasses();
    Algorithm algorithm = AlgorithmRegistry.create(cfg, numClasses, split.labeled().length, cfg.model().projDim());
    Normalizer.forConfig(cfg.data(), train.channels());
    Views.fromConfig(cfg.data(), train.height(), train.width(), train.channels());
    Precision precision = Precision.resolve(cfg.train().precision(), cpuFlags).precision();
    try (TrainGraph g =
        new TrainGraph(cfg, algorithm, train.height(), train.width(), train.channels(), numClasses, precision)) {
      return split;
    }
  }

  /**
   * The batches in flight (prepared ahead, being built by each worker, and the one being fed) must
   * fit in half the JVM heap; otherwise the run would die of OutOfMemoryError at its first step.
   */
  private void checkBatchMemory(Dataset train) {
    Config.Train t = cfg.train();
    long floatsPerImage = (long) train.height() * train.width() * train.channels();
    long images = (long) t.batchSize() * (1 + 2L * t.mu());
    long inFlight = cfg.data().prefetch() + cfg.data().workers() + 2L;
    long bytes = Math.multiplyExact(Math.multiplyExact(images, floatsPerImage * 4), inFlight);
    long budget = Runtime.getRuntime().maxMemory() / 2;
    if (bytes > budget) {
      throw new UserInputException(String.format(
          "train.batch_size %d with train.mu %d gives %d images of %dx%dx%d per step; with data.prefetch %d and"
              + " data.workers %d that needs %.1f GB of batches, more than half the JVM heap (%.1f GB): lower them or"
              + " raise -Xmx (SIMMATCH_JAVA_OPTS)",
          t.batchSize(), t.mu(), images, train.height(), train.width(), train.channels(), cfg.data().prefetch(),
          cfg.data().workers(), bytes / 1e9, 2 * budget / 1e9));
    }
  }

  private TrainResult train() {
    Precision.Choice precision = Precision.resolve(cfg.train().precision(), cpuFlags);
    LOG.info("precision {} ({})", precision.precision().key(), precision.reason());
    long wallStart = System.nanoTime();
    DatasetBundle data = Datasets.load(cfg.data());
    Dataset train = data.train();
    checkBatchMemory(train);
    LabeledSplit split = chief() ? prepareRunDir(train) : workerSplit(train);
    int numClasses = train.numClasses();
    Algorithm algorithm = AlgorithmRegistry.create(cfg, numClasses, split.labeled().length, cfg.model().projDim(),
        labeledDistribution(train, split.labeled(), numClasses));
    Normalizer norm = Normalizer.forConfig(cfg.data(), train.channels());
    Views views = Views.fromConfig(cfg.data(), train.height(), train.width(), train.channels());

    try (TrainGraph g = new TrainGraph(cfg, algorithm, train.height(), train.width(), train.channels(), numClasses,
            precision.precision(), cluster);
        Session session = openSession(g);
        StepWatchdog watchdog = cluster == null ? null : new StepWatchdog(cluster, cfg.train().collectiveTimeout());
        TensorBoard tb = chief() ? new TensorBoard(runDir.resolve("events")) : null) {
      long start = restoreOrInit(g, session, algorithm);
      if (cluster != null) {
        WorkerAgreement.check(g, session, watchdog, start);
        LOG.info("worker {} of {}: the workers agree on {} variables at step {}", cluster.index(), cluster.size(),
            g.agreementNames.size(), start);
        int b = cfg.train().batchSize() / cluster.size();
        LOG.info("worker {} of {}: builds its shard of every batch, labeled rows [{}, {}) and unlabeled rows [{}, {})",
            cluster.index(), cluster.size(), cluster.index() * b, (cluster.index() + 1) * b,
            cluster.index() * b * cfg.train().mu(), (cluster.index() + 1) * b * cfg.train().mu());
      }
      if (!chief()) {
        return trainAsWorker(g, session, watchdog, train, data, split, views, norm, algorithm, start);
      }
      Path resultFile = runDir.resolve("result.json");
      if (start >= cfg.train().steps() && Files.isRegularFile(resultFile)) {
        LOG.info("{} already finished at step {}: nothing to do", runDir, start);
        return readResult(resultFile);
      }
      EvalHistory history = new EvalHistory();
      List<Map<String, Double>> kept = MetricsCsv.read(runDir, start);
      MetricsCsv.rewrite(runDir, kept);
      kept.forEach(row -> history.add(EvalRows.fromRow(row)));
      MetricsCsv csv = new MetricsCsv(runDir);
      Evaluator evaluator = new Evaluator(g.evalImages, g.evalLogitsRaw, g.evalLogitsEma);
      // Without labels in the loss the classifier is untrained: monitor the representation instead.
      KnnMonitor knn = algorithm.trainsClassifier() ? null : new KnnMonitor(g.evalImages, g.evalFeaturesRaw, KNN_K);
      listeners.forEach(l -> l.onStart(cfg, start, cfg.train().steps()));

      List<String> metricNames = new ArrayList<>(g.metrics.keySet());
      List<String> fetchedNames = new ArrayList<>(List.of("loss", "lr"));
      fetchedNames.addAll(metricNames);
      IntervalMeans means = new IntervalMeans(fetchedNames);
      long images = 0;
      long loopStart = System.nanoTime();
      int perStep = imagesPerStep(algorithm);
      try (SslBatcher batcher = batcher(train, data, split, views, norm, algorithm, start)) {
        for (long step = start; step < cfg.train().steps(); step++) {
          SslBatch b = batcher.next();
          double[] fetched = cluster == null
              ? step(g, session, b, metricNames)
              : watchdog.run("step " + (step + 1), () -> step(g, session, b, metricNames));
          if (!Double.isFinite(fetched[0])) {
            throw new TrainingDivergedException(step, fetched[0], Checkpoints.latest(runDir));
          }
          means.add(fetched);
          images += perStep;
          long done = step + 1;
          double ips = images / ((System.nanoTime() - loopStart) / 1e9);
          for (TrainingListener l : listeners) {
            l.onStep(done, fetched[0], fetched[1], ips);
          }
          boolean last = done == cfg.train().steps();
          if (cluster != null && (done % cfg.train().checkpointEvery() == 0 || last)) {
            WorkerAgreement.check(g, session, watchdog, done);
          }
          if (done % cfg.train().evalEvery() == 0 || last) {
            EvalResult r = evaluator.evaluate(session, data.test(), norm, cfg.train().evalBatchSize(), done);
            boolean best = history.isEmpty() || r.top1Ema() > history.best(EvalResult::top1Ema);
            history.add(r);
            Map<String, Double> row = EvalRows.toRow(r, ips);
            if (knn != null) {
              double top1 = knn.top1(session, train, split.labeled(), data.test(), norm, cfg.train().evalBatchSize());
              row.put("knn_top1", top1);
              LOG.info("step {}: k-NN (k={}, cosine, {} labeled images as memory) top-1 {}%", done, KNN_K,
                  split.labeled().length, String.format(java.util.Locale.ROOT, "%.2f", top1));
            }
            row.putAll(means.takeMeans());
            csv.append(row);
            tb.scalars(done, row);
            for (TrainingListener l : listeners) {
              l.onEval(r, history);
            }
            if (best || done % cfg.train().checkpointEvery() == 0 || last) {
              Path ckpt = Checkpoints.save(session, runDir, done, cfg.train().keepCheckpoints());
              if (best) {
                Checkpoints.markBest(runDir, ckpt);
              }
            }
          } else if (done % cfg.train().checkpointEvery() == 0) {
            Checkpoints.save(session, runDir, done, cfg.train().keepCheckpoints());
          }
        }
      }
      double seconds = (System.nanoTime() - loopStart) / 1e9;
      TrainResult result =
          result(history, images / Math.max(seconds, 1e-9), (System.nanoTime() - wallStart) / 1e9, precision);
      writeJson(resultFile, result);
      listeners.forEach(l -> l.onEnd(result));
      if (cluster != null) {
        awaitOtherWorkers();
      }
      return result;
    }
  }

  /**
   * A worker other than the chief: the same steps and agreement checks as the chief, no evaluation
   * and no files.
   */
  private TrainResult trainAsWorker(TrainGraph g, Session session, StepWatchdog watchdog, Dataset train,
      DatasetBundle data, LabeledSplit split, Views views, Normalizer norm, Algorithm algorithm, long start) {
    listeners.forEach(l -> l.onStart(cfg, start, cfg.train().steps()));
    List<String> metricNames = new ArrayList<>(g.metrics.keySet());
    long loopStart = System.nanoTime();
    try (SslBatcher batcher = batcher(train, data, split, views, norm, algorithm, start)) {
      for (long step = start; step < cfg.train().steps(); step++) {
        SslBatch b = batcher.next();
        double[] fetched = watchdog.run("step " + (step + 1), () -> step(g, session, b, metricNames));
        if (!Double.isFinite(fetched[0])) {
          // The loss is the same on every worker: the chief stops at this step too.
          throw new TrainingDivergedException(step, fetched[0], Checkpoints.latest(runDir));
        }
        long done = step + 1;
        // Images of the global batch per second, as the chief reports.
        double ips = (done - start) * imagesPerStep(algorithm) / ((System.nanoTime() - loopStart) / 1e9);
        for (TrainingListener l : listeners) {
          l.onStep(done, fetched[0], fetched[1], ips);
        }
        if (done % cfg.train().checkpointEvery() == 0 || done == cfg.train().steps()) {
          WorkerAgreement.check(g, session, watchdog, done);
        }
      }
    }
    LOG.info("worker {} of {}: finished at step {}; the chief (worker 0) writes the results to {}", cluster.index(),
        cluster.size(), cfg.train().steps(), runDir);
    return null;
  }

  /** Images one step feeds: labeled, plus every unlabeled view. */
  private int imagesPerStep(Algorithm algorithm) {
    int unlabeledViews = 1 + algorithm.strongViews() + (algorithm.usesRotatedView() ? 1 : 0);
    return (algorithm.usesLabeled() ? cfg.train().batchSize() : 0)
        + (algorithm.usesUnlabeled() ? unlabeledViews * cfg.train().mu() * cfg.train().batchSize() : 0);
  }

  /**
   * The global batches from step {@code start} on; in a multi-worker run, every worker plans the same
   * global batches and builds the images of its own rows only.
   */
  private SslBatcher batcher(Dataset train, DatasetBundle data, LabeledSplit split, Views views, Normalizer norm,
      Algorithm algorithm, long start) {
    return SslBatcher.builder(train, split.labeled(), views, norm)
        .extra(data.extraUnlabeled())
        .batchSize(cfg.train().batchSize())
        .mu(cfg.train().mu())
        .labeledWithReplacement(cfg.train().labeledWithReplacement())
        .withUnlabeled(algorithm.usesUnlabeled())
        .seed(cfg.train().seed())
        .workers(cfg.data().workers())
        .prefetch(cfg.data().prefetch())
        .startStep(start)
        .strongViews(algorithm.strongViews())
        .rotatedView(algorithm.usesRotatedView())
        .shard(cluster == null ? 0 : cluster.index(), cluster == null ? 1 : cluster.size())
        .build();
  }

  /**
   * The chief ends last: a worker still finishing its last step may need the chief's collective
   * group leader (TensorFlow has no clean server shutdown; the process exit ends the server).
   */
  private void awaitOtherWorkers() {
    long until = System.nanoTime() + (long) (cfg.train().collectiveTimeout() * 1e9);
    while (Peers.unreachable(cluster).size() < cluster.size() - 1 && System.nanoTime() < until) {
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** A local session; in a multi-worker run, this worker's gRPC server and a session on it. */
  private Session openSession(TrainGraph g) {
    if (cluster == null) {
      return new Session(g.graph, sessionConfig(cfg.train()));
    }
    return WorkerSession.open(g.graph, cluster, sessionConfig(cfg.train().threads()));
  }

  /** A worker's labeled split: the chief's split.json when resuming, else the config's (the same on every worker). */
  private LabeledSplit workerSplit(Dataset train) {
    if (resumeFrom != null && !Files.isDirectory(resumeFrom)) {
      throw new UserInputException("--resume-from " + resumeFrom + " is not a checkpoint directory");
    }
    Path splitFile = runDir.resolve("split.json");
    return resume && Files.exists(splitFile)
        ? LabeledSplit.read(splitFile, train)
        : LabeledSplit.forConfig(cfg.data(), train);
  }

  /** One optimisation step; returns {loss, lr, metrics...}. */
  private static double[] step(TrainGraph g, Session session, SslBatch b, List<String> metricNames) {
    // Images: this worker's rows (all of them in one process); labels and indices: the whole batch.
    Shape lab = Shape.of(b.labeledRows(), b.h(), b.w(), b.c());
    Shape unl = Shape.of(b.unlabeledRows(), b.h(), b.w(), b.c());
    List<Tensor> extra = new ArrayList<>();
    try (TFloat32 x = TFloat32.tensorOf(lab, DataBuffers.of(b.x(), true, false));
        TInt32 y = TInt32.tensorOf(Shape.of(b.batchSize()), DataBuffers.of(b.y(), true, false));
        TInt32 idx = TInt32.tensorOf(Shape.of(b.batchSize()), DataBuffers.of(b.indexX(), true, false));
        TFloat32 uw = TFloat32.tensorOf(unl, DataBuffers.of(b.uWeak(), true, false));
        TInt32 ul = TInt32.tensorOf(Shape.of(b.unlabeledSize()), DataBuffers.of(b.uLabels(), true, false))) {
      Session.Runner runner =
          session.runner()
              .feed(g.x, x).feed(g.y, y).feed(g.indexX, idx)
              .feed(g.uWeak, uw).feed(g.uLabels, ul)
              .fetch(g.loss).fetch(g.learningRate);
      for (int k = 0; k < b.uStrongViews().length; k++) {
        TFloat32 us = TFloat32.tensorOf(unl, DataBuffers.of(b.uStrongViews()[k], true, false));
        extra.add(us);
        runner.feed(g.uStrongViews.get(k), us);
      }
      if (b.uRotation().length > 0) {
        TFloat32 ur = TFloat32.tensorOf(unl, DataBuffers.of(b.uRotated(), true, false));
        extra.add(ur);
        TInt32 rot = TInt32.tensorOf(Shape.of(b.unlabeledSize()), DataBuffers.of(b.uRotation(), true, false));
        extra.add(rot);
        runner.feed(g.uRotated, ur).feed(g.uRotation, rot);
      }
      Map<Operand<?>, Tensor> hostFeeds = g.stepFeeds.forStep(b.step());
      extra.addAll(hostFeeds.values());
      hostFeeds.forEach(runner::feed);
      metricNames.forEach(n -> runner.fetch(g.metrics.get(n)));
      try (Result r = runner.addTarget(g.trainOp).run()) {
        double[] out = new double[r.size()];
        for (int i = 0; i < out.length; i++) {
          out[i] = scalar(r.get(i));
        }
        return out;
      }
    } finally {
      extra.forEach(Tensor::close);
    }
  }

  /** Class frequencies of the labeled images [C]: ReMixMatch's p_target. */
  public static float[] labeledDistribution(Dataset train, int[] labeled, int numClasses) {
    int[] counts = new int[numClasses];
    for (int i : labeled) {
      counts[train.labels()[i]]++;
    }
    return Alignments.classFrequencies(counts);
  }

  static double scalar(Tensor t) {
    return ((TFloat32) t).getFloat();
  }

  private long restoreOrInit(TrainGraph g, Session session, Algorithm algorithm) {
    Optional<Path> from = resumeFrom != null ? Optional.of(resumeFrom) : resume ? Checkpoints.latest(runDir) : Optional.empty();
    if (from.isPresent()) {
      Checkpoints.restore(session, from.get());
      long step;
      try (Result r = session.runner().fetch(g.step).run()) {
        step = ((TInt64) r.get(0)).getLong();
      }
      if (resumeFrom != null && chief()) {
        Checkpoints.resumeFrom(runDir, resumeFrom, step);
      }
      LOG.info("resumed {} at step {} from {}", runDir, step, from.get());
      return step;
    }
    if (resume) {
      LOG.info("no checkpoint in {}: starting from step 0", runDir);
    }
    session.initialize();
    algorithm.initialize(session);
    if (g.initFrom != null) {
      g.initFrom.apply(session, runDir);
    }
    g.emaCopy.forEach(session::run);
    return 0;
  }

  private LabeledSplit prepareRunDir(Dataset train) {
    try {
      if (resumeFrom != null && !Files.isDirectory(resumeFrom)) {
        throw new UserInputException("--resume-from " + resumeFrom + " is not a checkpoint directory");
      }
      if (!resume && Checkpoints.latest(runDir).isPresent()) {
        throw new UserInputException(
            "run directory " + runDir + " already holds checkpoints: pass --resume to continue it, or choose another"
                + " run name (--set name=...)");
      }
      Files.createDirectories(runDir);
      Path configFile = runDir.resolve("config.yaml");
      String yaml = ConfigLoader.toYaml(cfg);
      if (resume && Files.exists(configFile) && !Files.readString(configFile).equals(yaml)) {
        LOG.warn("config differs from the one {} was started with; using the new one", configFile);
      }
      writeAtomically(configFile, yaml);
      DatasetInfo.of(cfg.data().dataset(), train).write(runDir);
      Path splitFile = runDir.resolve("split.json");
      LabeledSplit split = LabeledSplit.forConfig(cfg.data(), train);
      if (resume && Files.exists(splitFile)) {
        split = LabeledSplit.read(splitFile, train);
      } else {
        split.write(splitFile);
      }
      return split;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare run directory " + runDir, e);
    }
  }

  private static TrainResult readResult(Path file) {
    try {
      return JSON.readValue(file.toFile(), TrainResult.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private TrainResult result(EvalHistory h, double ips, double wall, Precision.Choice precision) {
    EvalResult last = h.last();
    return new TrainResult(
        cfg.runName(), cfg.algorithm().name(), cfg.data().dataset(), cfg.data().labels(), cfg.train().seed(),
        last.step(),
        h.best(EvalResult::top1Ema), h.bestStep(EvalResult::top1Ema), h.medianOfLast(EvalResult::top1Ema),
        last.top1Ema(), last.top5Ema(),
        h.best(EvalResult::top1Raw), h.medianOfLast(EvalResult::top1Raw), last.top1Raw(),
        h.all().size(), ips, wall, precision.precision().key(), precision.reason());
  }

  static void writeJson(Path file, Object value) {
    try {
      writeAtomically(file, JSON.writeValueAsString(value) + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  static void writeAtomically(Path file, String text) throws IOException {
    Durable.writeString(file, text);
  }

  /** Row conversion between {@link EvalResult} and metrics.csv. */
  static final class EvalRows {
    private EvalRows() {}

    static Map<String, Double> toRow(EvalResult r, double ips) {
      Map<String, Double> row = new LinkedHashMap<>();
      row.put("step", (double) r.step());
      row.put("top1_ema", r.top1Ema());
      row.put("top5_ema", r.top5Ema());
      row.put("top1_raw", r.top1Raw());
      row.put("top5_raw", r.top5Raw());
      row.put("images_per_second", ips);
      row.put("rss_mib", ProcessMemory.rssMiB());
      row.put("peak_rss_mib", ProcessMemory.peakRssMiB());
      return row;
    }

    static EvalResult fromRow(Map<String, Double> row) {
      return new EvalResult(
          row.get("step").longValue(), row.get("top1_raw"), row.get("top5_raw"), row.get("top1_ema"),
          row.get("top5_ema"), 0);
    }
  }
}

package dev.simmatch.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.simmatch.UserInputException;
import dev.simmatch.algorithms.Algorithm;
import dev.simmatch.algorithms.AlgorithmRegistry;
import dev.simmatch.config.Config;
import dev.simmatch.config.ConfigChecks;
import dev.simmatch.config.Precision;
import dev.simmatch.distributed.TfConfig;
import dev.simmatch.distributed.WorkerSession;
import dev.simmatch.train.TrainGraph;
import dev.simmatch.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.TensorFlow;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Times training steps of the real {@link TrainGraph} (forward, backward, SGD, BN statistics,
 * EMA, algorithm state) on random batches: throughput, peak resident memory and the share of each
 * step spent outside {@code session.run} (building input tensors, reading fetches). Images per
 * step are counted as in {@code scripts/pytorch/bench_step.py}: the images the batcher delivers, B
 * for supervised, B + 2*mu*B for FixMatch and SimMatch (weak, strong), B + 4*mu*B for ReMixMatch
 * (weak, two strong, rotated). {@code train.precision} applies as in training.
 */
public final class StepBench {
  /** SimMatch's memory bank gets 4*B rows, as in bench_step.py. */
  public static final int BANK_ROWS_PER_LABELED = 4;
  private static final int DISTINCT_BATCHES = 2;

  private StepBench() {}

  /**
   * Timing of training steps. Field names are those of bench_step.py's JSON where they exist.
   *
   * @param imagesPerStep B for supervised, B + (views per unlabeled image)*mu*B otherwise
   * @param outsideSessionShare share of the timed wall time spent outside session.run
   * @param peakRssMb VmHWM of this process (-1 where /proc is unavailable)
   * @param precision float32 or bfloat16 (train.precision as resolved on this CPU)
   */
  public record Measurement(
      @JsonProperty("framework") String framework,
      @JsonProperty("kind") String kind,
      @JsonProperty("tensorflow") String tensorflow,
      @JsonProperty("model") String model,
      @JsonProperty("algorithm") String algorithm,
      @JsonProperty("batch") int batch,
      @JsonProperty("mu") int mu,
      @JsonProperty("size") int size,
      @JsonProperty("channels") int channels,
      @JsonProperty("threads") int threads,
      @JsonProperty("warmup") int warmup,
      @JsonProperty("steps") int steps,
      @JsonProperty("images_per_step") int imagesPerStep,
      @JsonProperty("images_per_second") double imagesPerSecond,
      @JsonProperty("step_ms") double stepMs,
      @JsonProperty("outside_session_share") double outsideSessionShare,
      @JsonProperty("peak_rss_mb") double peakRssMb,
      @JsonProperty("precision") String precision) {}

  /**
   * Times at least {@code steps} training steps, and for at least {@code minSeconds}, after
   * {@code warmup} untimed ones, then traces {@code profileSteps} more into {@code profile}. The
   * algorithm, model, B, mu and threads come from {@code cfg}; SimMatch's bank has 4*B rows.
   */
  public static Measurement measure(Config cfg, int size, int channels, int classes, int warmup, int steps,
      double minSeconds, int profileSteps, OpProfile profile) {
    return measure(cfg, size, channels, classes, warmup, steps, minSeconds, profileSteps, profile, null);
  }

  /**
   * @param cluster the workers of a multi-worker run (TF_CONFIG), or null: every worker times the same
   *     global batches, fed its rows of each (as the trainer feeds a worker's shard), with the
   *     gradients summed across the workers
   */
  public static Measurement measure(Config cfg, int size, int channels, int classes, int warmup, int steps,
      double minSeconds, int profileSteps, OpProfile profile, TfConfig cluster) {
    if (cluster != null) {
      ConfigChecks.checkWorkers(cfg, cluster.size(), TfConfig.ENV);
      if (minSeconds > 0) {
        throw new UserInputException("bench with " + TfConfig.ENV + ": --min-seconds must be 0, got " + minSeconds
            + " (every worker must time the same number of steps)");
      }
    }
    if (steps < 1 || warmup < 0 || !(minSeconds >= 0) || profileSteps < 0 || cfg.train().threads() < 1
        || classes < 2) {
      throw new UserInputException("bench: need --steps >= 1, --warmup >= 0, --min-seconds >= 0, --profile >= 0,"
          + " --threads >= 1, --classes >= 2; got " + steps + ", " + warmup + ", " + minSeconds + ", " + profileSteps
          + ", " + cfg.train().threads() + ", " + classes);
    }
    Precision.Choice precision = Precision.resolve(cfg.train().precision());
    int b = cfg.train().batchSize();
    int bankRows = BANK_ROWS_PER_LABELED * b;
    // Labels are uniform random, so the labeled class distribution is uniform.
    float[] uniform = new float[classes];
    Arrays.fill(uniform, 1f / classes);
    Algorithm alg = AlgorithmRegistry.create(cfg, classes, bankRows, cfg.model().projDim(), uniform);
    int bu = alg.usesUnlabeled() ? cfg.train().mu() * b : 0;
    int views = alg.strongViews();
    boolean rotated = alg.usesRotatedView();
    int perStep = (alg.usesLabeled() ? b : 0) + (1 + views + (rotated ? 1 : 0)) * bu;
    RandomBatch[] batches = new RandomBatch[DISTINCT_BATCHES];
    for (int i = 0; i < batches.length; i++) {
      batches[i] = RandomBatch.draw(new Random(i), b, bu, size, channels, classes, bankRows, views, rotated);
      if (cluster != null) {
        batches[i] = batches[i].shard(cluster.index(), cluster.size(), size * size * channels);
      }
    }
    int shards = cluster == null ? 1 : cluster.size();
    try (TrainGraph g = new TrainGraph(cfg, alg, size, size, channels, classes, precision.precision(), cluster);
        Session session = cluster == null
            ? new Session(g.graph, Trainer.sessionConfig(cfg.train()))
            : WorkerSession.open(g.graph, cluster, Trainer.sessionConfig(cfg.train().threads()))) {
      session.initialize();
      g.emaCopy.forEach(session::run);
      // The trainer's fetches: loss, learning rate and every monitor.
      List<Operand<TFloat32>> fetches = new ArrayList<>(List.of(g.loss, g.learningRate));
      fetches.addAll(g.metrics.values());
      Shape lab = Shape.of(b / shards, size, size, channels);
      Shape unl = Shape.of(bu / shards, size, size, channels);
      for (int s = 0; s < warmup; s++) {
        runStep(session, g, fetches, batches[s % batches.length], lab, unl, s, null);
      }
      long minNanos = (long) (minSeconds * 1e9);
      long inRun = 0;
      int timed = 0;
      long start = System.nanoTime();
      while (timed < steps || System.nanoTime() - start < minNanos) {
        int s = warmup + timed;
        inRun += runStep(session, g, fetches, batches[s % batches.length], lab, unl, s, null);
        timed++;
      }
      long total = System.nanoTime() - start;
      for (int p = 0; p < profileSteps; p++) {
        int s = warmup + timed + p;
        runStep(session, g, fetches, batches[s % batches.length], lab, unl, s, profile);
      }
      double secondsPerStep = total / 1e9 / timed;
      return new Measurement("java", "train_step", TensorFlow.version(), cfg.model().arch(), alg.name(), b,
          cfg.train().mu(), size, channels, cfg.train().threads(), warmup, timed, perStep, perStep / secondsPerStep,
          1000 * secondsPerStep, (double) (total - inRun) / total, peakRssMb(),
          precision.precision().key());
    }
  }

  /**
   * One training step on {@code rb}, traced into {@code profile} unless it is null; returns the
   * nanoseconds spent inside {@code session.run}.
   */
  private static long runStep(Session session, TrainGraph g, List<Operand<TFloat32>> fetches, RandomBatch rb,
      Shape lab, Shape unl, int s, OpProfile profile) {
    List<Tensor> extra = new ArrayList<>();
    try (TFloat32 x = TFloat32.tensorOf(lab, DataBuffers.of(rb.x, true, false));
        TInt32 y = TInt32.vectorOf(rb.y);
        TInt32 idx = TInt32.vectorOf(rb.index);
        TFloat32 uw = TFloat32.tensorOf(unl, DataBuffers.of(rb.uWeak, true, false));
        TInt32 ul = TInt32.vectorOf(rb.uLabels)) {
      Session.Runner runner = session.runner()
          .feed(g.x, x).feed(g.y, y).feed(g.indexX, idx)
          .feed(g.uWeak, uw).feed(g.uLabels, ul)
          .addTarget(g.trainOp);
      for (int k = 0; k < g.uStrongViews.size(); k++) {
        TFloat32 us = TFloat32.tensorOf(unl, DataBuffers.of(rb.uStrong[k], true, false));
        extra.add(us);
        runner.feed(g.uStrongViews.get(k), us);
      }
      if (rb.uRotation.length > 0) {
        TFloat32 ur = TFloat32.tensorOf(unl, DataBuffers.of(rb.uRotated, true, false));
        TInt32 rot = TInt32.vectorOf(rb.uRotation);
        extra.add(ur);
        extra.add(rot);
        runner.feed(g.uRotated, ur).feed(g.uRotation, rot);
      }
      Map<Operand<?>, Tensor> hostFeeds = g.stepFeeds.forStep(s);
      extra.addAll(hostFeeds.values());
      hostFeeds.forEach(runner::feed);
      fetches.forEach(runner::fetch);
      if (profile != null) {
        runner.setOptions(OpProfile.TRACE);
      }
      long t0 = System.nanoTime();
      try (Result r = profile != null ? runner.runAndFetchMetadata() : runner.run()) {
        long inRun = System.nanoTime() - t0;
        if (profile != null) {
          r.getMetadata().ifPresent(profile::add);
        }
        float loss = ((TFloat32) r.get(0)).getFloat();
        if (!Float.isFinite(loss)) {
          throw new IllegalStateException("bench: loss became " + loss + " at step " + s);
        }
        return inRun;
      }
    } finally {
      extra.forEach(Tensor::close);
    }
  }

  /**
   * One step's random inputs: N(0,1) pixels, uniform labels, distinct bank rows, K strong views and,
   * if asked for, a rotated view with uniform rotations.
   */
  private record RandomBatch(float[] x, int[] y, int[] index, float[] uWeak, float[][] uStrong, float[] uRotated,
      int[] uRotation, int[] uLabels) {
    static RandomBatch draw(Random rnd, int b, int bu, int size, int channels, int classes, int bankRows,
        int views, boolean rotated) {
      int pixels = size * size * channels;
      List<Integer> rows = new ArrayList<>();
      for (int i = 0; i < bankRows; i++) {
        rows.add(i);
      }
      Collections.shuffle(rows, rnd);
      float[][] strong = new float[views][];
      for (int k = 0; k < views; k++) {
        strong[k] = gaussian(rnd, bu * pixels);
      }
      return new RandomBatch(gaussian(rnd, b * pixels), labels(rnd, b, classes),
          rows.subList(0, b).stream().mapToInt(Integer::intValue).toArray(), gaussian(rnd, bu * pixels),
          strong, rotated ? gaussian(rnd, bu * pixels) : new float[0],
          rotated ? labels(rnd, bu, 4) : new int[0], labels(rnd, bu, classes));
    }

    /** Worker w of n's rows of every image array; labels and indices stay whole (the trainer's feeds). */
    RandomBatch shard(int w, int n, int pixels) {
      float[][] strong = new float[uStrong.length][];
      for (int k = 0; k < strong.length; k++) {
        strong[k] = rowsOf(uStrong[k], w, n, pixels);
      }
      return new RandomBatch(rowsOf(x, w, n, pixels), y, index, rowsOf(uWeak, w, n, pixels), strong,
          rowsOf(uRotated, w, n, pixels), uRotation, uLabels);
    }

    private static float[] rowsOf(float[] images, int w, int n, int pixels) {
      int rows = images.length / pixels / n;
      return Arrays.copyOfRange(images, w * rows * pixels, (w + 1) * rows * pixels);
    }

    private static float[] gaussian(Random rnd, int n) {
      float[] v = new float[n];
      for (int i = 0; i < n; i++) {
        v[i] = (float) rnd.nextGaussian();
      }
      return v;
    }

    private static int[] labels(Random rnd, int n, int classes) {
      int[] v = new int[n];
      for (int i = 0; i < n; i++) {
        v[i] = rnd.nextInt(classes);
      }
      return v;
    }
  }

  /** VmHWM of this process in MB, or -1 where /proc is not available. */
  public static double peakRssMb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }
}

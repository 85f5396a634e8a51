package dev.simmatch.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.simmatch.UserInputException;
import dev.simmatch.algorithms.Algorithm;
import dev.simmatch.algorithms.AlgorithmRegistry;
import dev.simmatch.config.Config;
import dev.simmatch.config.ConfigLoader;
import dev.simmatch.data.Normalizer;
import dev.simmatch.data.PipelineBenchmark;
import dev.simmatch.train.TrainGraph;
import dev.simmatch.train.Trainer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.TensorFlow;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code simmatch bench}: times training steps of the real {@link TrainGraph} (forward, backward,
 * SGD, BN statistics, EMA, algorithm state) on random batches and reports throughput, peak resident
 * memory and the share of each step spent outside {@code session.run} (building input tensors,
 * reading fetches). Images per step are counted as in {@code scripts/pytorch/bench_step.py}: B for
 * supervised, B + 2*mu*B for the semi-supervised algorithms. With {@code --pipeline} it times the
 * input pipeline (weak and strong views of random images) instead.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Time training steps of supervised, FixMatch or SimMatch on random data (images/s, peak RSS, time outside"
          + " session.run), or with --pipeline the augmentation pipeline.",
      "--model, --algorithm, --batch, --mu and --threads always apply (over --config and --set); other settings"
          + " come from --config/--set (default: the built-in defaults), with algorithm.warmup_steps 0 unless --set."
    })
public final class BenchCommand implements Callable<Integer> {
  /** SimMatch's memory bank gets 4*B rows, as in bench_step.py. */
  static final int BANK_ROWS_PER_LABELED = 4;
  private static final int DISTINCT_BATCHES = 2;
  private static final ObjectMapper JSON = new ObjectMapper();

  @Option(names = "--model", defaultValue = "wrn28_2", description = "architecture (default ${DEFAULT-VALUE})")
  String model;

  @Option(names = "--algorithm", defaultValue = "supervised",
      description = "supervised | fixmatch | simmatch (default ${DEFAULT-VALUE})")
  String algorithm;

  @Option(names = "--batch", defaultValue = "64", description = "B, labeled images per step (default ${DEFAULT-VALUE})")
  int batch;

  @Option(names = "--mu", defaultValue = "7", description = "mu*B unlabeled images per step (default ${DEFAULT-VALUE})")
  int mu;

  @Option(names = "--steps", defaultValue = "20", description = "timed steps, at least (default ${DEFAULT-VALUE})")
  int steps;

  @Option(names = "--min-seconds", defaultValue = "0",
      description = "keep timing steps until this much time has passed, so that short steps are averaged over"
          + " many (default ${DEFAULT-VALUE})")
  double minSeconds;

  @Option(names = "--warmup", defaultValue = "2", description = "untimed steps first (default ${DEFAULT-VALUE})")
  int warmup;

  @Option(names = "--profile", defaultValue = "0", paramLabel = "N",
      description = "after the timing, trace N more steps and print where the time goes, per op type"
          + " (TensorFlow step stats; tracing itself slows the ops a little)")
  int profileSteps;

  @Option(names = "--threads", defaultValue = "2", description = "TensorFlow intra-op threads; inter-op is 1 (default ${DEFAULT-VALUE})")
  int threads;

  @Option(names = "--size", description = "image side (default 28 for cnn-small, else 32)")
  Integer size;

  @Option(names = "--channels", description = "image channels (default 1 for cnn-small, else 3)")
  Integer channels;

  @Option(names = "--classes", defaultValue = "10", description = "classes (default ${DEFAULT-VALUE})")
  int classes;

  @Option(names = "--json", description = "print one JSON object on a line instead of text")
  boolean json;

  @Option(names = "--pipeline", description = "time the input pipeline (weak+strong views of random images) instead of a step")
  boolean pipeline;

  @Option(names = "--seconds", defaultValue = "3", description = "--pipeline: length of each measurement (default ${DEFAULT-VALUE})")
  double seconds;

  @Option(names = "--workers", description = "--pipeline: worker threads of the pool (default data.workers)")
  Integer workers;

  @Mixin ConfigOptions options;

  @Spec CommandSpec spec;

  /** The last measurement, for callers that run the command in-process. */
  Object result;

  /**
   * Timing of training steps. Field names are those of bench_step.py's JSON where they exist.
   *
   * @param imagesPerStep B for supervised, B + 2*mu*B otherwise
   * @param outsideSessionShare share of the timed wall time spent outside session.run
   * @param peakRssMb VmHWM of this process (-1 where /proc is unavailable)
   */
  public record StepMeasurement(
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
      @JsonProperty("peak_rss_mb") double peakRssMb) {}

  /**
   * Throughput of the input pipeline on random images, with the worker pool (and one thread).
   *
   * @param viewsPerSecond B weak + mu*B weak + mu*B strong views per second (pool)
   * @param unlabeledPairsPerSecond mu*B (weak, strong) pairs per second (pool)
   * @param sslStepsPerSecond semi-supervised batches per second (pool)
   * @param labeledPerSecond weak labeled views per second of a labeled-only batcher (pool)
   * @param singleThreadViewsPerSecond as viewsPerSecond, built in one thread
   */
  public record PipelineMeasurement(
      @JsonProperty("framework") String framework,
      @JsonProperty("kind") String kind,
      @JsonProperty("size") int size,
      @JsonProperty("channels") int channels,
      @JsonProperty("batch") int batch,
      @JsonProperty("mu") int mu,
      @JsonProperty("workers") int workers,
      @JsonProperty("seconds") double seconds,
      @JsonProperty("views_per_second") double viewsPerSecond,
      @JsonProperty("unlabeled_pairs_per_second") double unlabeledPairsPerSecond,
      @JsonProperty("ssl_steps_per_second") double sslStepsPerSecond,
      @JsonProperty("labeled_per_second") double labeledPerSecond,
      @JsonProperty("single_thread_views_per_second") double singleThreadViewsPerSecond) {}

  @Override
  public Integer call() {
    int side = size != null ? size : "cnn-small".equals(model) ? 28 : 32;
    int ch = channels != null ? channels : "cnn-small".equals(model) ? 1 : 3;
    if (batch < 1 || mu < 1 || side < 8 || ch < 1) {
      throw new UserInputException("bench: need --batch >= 1, --mu >= 1, --size >= 8, --channels >= 1; got "
          + batch + ", " + mu + ", " + side + ", " + ch);
    }
    // Precedence: defaults < --config < full objective from step 0 (as bench_step.py) < --set < these options.
    List<String> overrides = new ArrayList<>(List.of("algorithm.warmup_steps=0"));
    overrides.addAll(options.overrides);
    overrides.addAll(List.of("algorithm.name=" + algorithm, "model.arch=" + model, "train.batch_size=" + batch,
        "train.mu=" + mu, "train.threads=" + threads));
    Config cfg = ConfigLoader.load(options.config, overrides);
    PrintWriter out = spec.commandLine().getOut();
    if (pipeline) {
      PipelineMeasurement m = measurePipeline(cfg, side, ch, workers != null ? workers : cfg.data().workers(), seconds);
      result = m;
      out.println(json ? toJson(m) : String.format(Locale.ROOT,
          "pipeline %dx%dx%d, B=%d, mu=%d, %d workers: %.0f views/s (%.0f weak+strong pairs/s, %.2f SSL batches/s);"
              + " one thread %.0f views/s",
          side, side, ch, m.batch(), m.mu(), m.workers(), m.viewsPerSecond(), m.unlabeledPairsPerSecond(),
          m.sslStepsPerSecond(), m.singleThreadViewsPerSecond()));
    } else {
      OpProfile profile = new OpProfile();
      StepMeasurement m = measureStep(cfg, side, ch, classes, warmup, steps, minSeconds, profileSteps, profile);
      result = m;
      if (json) {
        out.println(toJson(m));
      } else {
        out.printf(Locale.ROOT, "%s %s, B=%d, mu=%d (%d images/step), %d steps, %d threads: %.1f images/s (%.1f ms/step)%n",
            m.model(), m.algorithm(), m.batch(), m.mu(), m.imagesPerStep(), m.steps(), m.threads(),
            m.imagesPerSecond(), m.stepMs());
        out.printf(Locale.ROOT, "outside session.run: %.2f%% of step time%s%n", 100 * m.outsideSessionShare(),
            m.outsideSessionShare() < 0.10 ? "" : "  (above the 10% budget)");
        out.printf(Locale.ROOT, "peak RSS: %.0f MB%n", m.peakRssMb());
      }
      if (profileSteps > 0) {
        out.printf(Locale.ROOT, "%nop time per step over %d traced steps (kernels as TensorFlow ran them)%n%s",
            profileSteps, profile.table(20).text());
      }
    }
    out.flush();
    return 0;
  }

  /**
   * Times at least {@code steps} training steps, and for at least {@code minSeconds}, after
   * {@code warmup} untimed ones, then traces {@code profileSteps} more into {@code profile}. The
   * algorithm, model, B, mu and threads come from {@code cfg}; SimMatch's bank has 4*B rows.
   */
  public static StepMeasurement measureStep(Config cfg, int size, int channels, int classes, int warmup, int steps,
      double minSeconds, int profileSteps, OpProfile profile) {
    if (steps < 1 || warmup < 0 || !(minSeconds >= 0) || profileSteps < 0 || cfg.train().threads() < 1
        || classes < 2) {
      throw new UserInputException("bench: need --steps >= 1, --warmup >= 0, --min-seconds >= 0, --profile >= 0,"
          + " --threads >= 1, --classes >= 2; got " + steps + ", " + warmup + ", " + minSeconds + ", " + profileSteps
          + ", " + cfg.train().threads() + ", " + classes);
    }
    int b = cfg.train().batchSize();
    int bankRows = BANK_ROWS_PER_LABELED * b;
    Algorithm alg = AlgorithmRegistry.create(cfg, classes, bankRows, cfg.model().projDim());
    int bu = alg.usesUnlabeled() ? cfg.train().mu() * b : 0;
    int perStep = b + 2 * bu;
    RandomBatch[] batches = new RandomBatch[DISTINCT_BATCHES];
    for (int i = 0; i < batches.length; i++) {
      batches[i] = RandomBatch.draw(new Random(i), b, bu, size, channels, classes, bankRows);
    }
    try (TrainGraph g = new TrainGraph(cfg, alg, size, size, channels, classes);
        Session session = new Session(g.graph, Trainer.sessionConfig(cfg.train().threads()))) {
      session.initialize();
      g.emaCopy.forEach(session::run);
      // The trainer's fetches: loss, learning rate and every monitor.
      List<Operand<TFloat32>> fetches = new ArrayList<>(List.of(g.loss, g.learningRate));
      fetches.addAll(g.metrics.values());
      Shape lab = Shape.of(b, size, size, channels);
      Shape unl = Shape.of(bu, size, size, channels);
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
      return new StepMeasurement("java", "train_step", TensorFlow.version(), cfg.model().arch(), alg.name(), b,
          cfg.train().mu(), size, channels, cfg.train().threads(), warmup, timed, perStep, perStep / secondsPerStep,
          1000 * secondsPerStep, (double) (total - inRun) / total, peakRssMb());
    }
  }

  /**
   * One training step on {@code rb}, traced into {@code profile} unless it is null; returns the
   * nanoseconds spent inside {@code session.run}.
   */
  private static long runStep(Session session, TrainGraph g, List<Operand<TFloat32>> fetches, RandomBatch rb,
      Shape lab, Shape unl, int s, OpProfile profile) {
    try (TFloat32 x = TFloat32.tensorOf(lab, DataBuffers.of(rb.x, true, false));
        TInt32 y = TInt32.vectorOf(rb.y);
        TInt32 idx = TInt32.vectorOf(rb.index);
        TFloat32 uw = TFloat32.tensorOf(unl, DataBuffers.of(rb.uWeak, true, false));
        TFloat32 us = TFloat32.tensorOf(unl, DataBuffers.of(rb.uStrong, true, false));
        TInt32 ul = TInt32.vectorOf(rb.uLabels)) {
      Session.Runner runner = session.runner()
          .feed(g.x, x).feed(g.y, y).feed(g.indexX, idx)
          .feed(g.uWeak, uw).feed(g.uStrong, us).feed(g.uLabels, ul)
          .addTarget(g.trainOp);
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
    }
  }

  /**
   * Runs {@link PipelineBenchmark} on random images of side {@code size}, normalised with mean 0.5
   * and std 0.25, with the views, B and mu of {@code cfg}.
   */
  public static PipelineMeasurement measurePipeline(Config cfg, int size, int channels, int workers, double seconds) {
    if (workers < 1 || !(seconds > 0) || (channels != 1 && channels != 3)) {
      throw new UserInputException("bench --pipeline: need --workers >= 1, --seconds > 0 and --channels 1 or 3; got "
          + workers + ", " + seconds + ", " + channels);
    }
    float[] mean = new float[channels];
    float[] std = new float[channels];
    Arrays.fill(mean, 0.5f);
    Arrays.fill(std, 0.25f);
    PipelineBenchmark.Result r = PipelineBenchmark.run(
        DataBenchCommand.synthetic(size + "x" + size + "x" + channels), cfg, new Normalizer(mean, std), workers, seconds);
    return new PipelineMeasurement("java", "pipeline", size, channels, r.batchSize(), r.mu(), r.threads(), seconds,
        r.pool().sslViewsPerSec(), r.pool().unlabeledPairsPerSec(), r.pool().sslStepsPerSec(),
        r.pool().labeledPerSec(), r.single().sslViewsPerSec());
  }

  static String toJson(Object measurement) {
    try {
      return JSON.writeValueAsString(measurement);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise " + measurement, e);
    }
  }

  /** One step's random inputs: N(0,1) pixels, uniform labels, distinct bank rows. */
  private record RandomBatch(float[] x, int[] y, int[] index, float[] uWeak, float[] uStrong, int[] uLabels) {
    static RandomBatch draw(Random rnd, int b, int bu, int size, int channels, int classes, int bankRows) {
      int pixels = size * size * channels;
      List<Integer> rows = new ArrayList<>();
      for (int i = 0; i < bankRows; i++) {
        rows.add(i);
      }
      Collections.shuffle(rows, rnd);
      return new RandomBatch(gaussian(rnd, b * pixels), labels(rnd, b, classes),
          rows.subList(0, b).stream().mapToInt(Integer::intValue).toArray(), gaussian(rnd, bu * pixels),
          gaussian(rnd, bu * pixels), labels(rnd, bu, classes));
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
  static double peakRssMb() {
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

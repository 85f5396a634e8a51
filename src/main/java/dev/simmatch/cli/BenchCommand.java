package dev.simmatch.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.simmatch.UserInputException;
import dev.simmatch.distributed.TfConfig;
import dev.simmatch.bench.OpProfile;
import dev.simmatch.bench.PipelineBench;
import dev.simmatch.bench.StepBench;
import dev.simmatch.config.Config;
import dev.simmatch.config.ConfigLoader;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code simmatch bench}: times training steps ({@link StepBench}) or, with {@code --pipeline}, the
 * input pipeline ({@link PipelineBench}), and prints the measurement as text or one JSON line.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Time training steps of supervised, FixMatch, SimMatch or ReMixMatch on random data (images/s, peak RSS, time outside"
          + " session.run), or with --pipeline the augmentation pipeline.",
      "--model, --algorithm, --batch, --mu, --threads and --precision always apply (over --config and --set); other settings"
          + " come from --config/--set (default: the built-in defaults), with algorithm.warmup_steps 0 unless --set."
    })
public final class BenchCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Option(names = "--model", defaultValue = "wrn28_2", description = "architecture (default ${DEFAULT-VALUE})")
  String model;

  @Option(names = "--algorithm", defaultValue = "supervised",
      description = "supervised | fixmatch | simmatch | remixmatch (default ${DEFAULT-VALUE})")
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

  @Option(names = "--precision", paramLabel = "float32|bfloat16|auto",
      description = "train.precision of the step (default: the config's, float32)")
  String precision;

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
    if (precision != null) {
      overrides.add("train.precision=" + precision);
    }
    Config cfg = ConfigLoader.load(options.config, overrides);
    PrintWriter out = spec.commandLine().getOut();
    if (pipeline) {
      PipelineBench.Measurement m = PipelineBench.measure(cfg, side, ch, workers != null ? workers : cfg.data().workers(), seconds);
      result = m;
      out.println(json ? toJson(m) : String.format(Locale.ROOT,
          "pipeline %dx%dx%d, B=%d, mu=%d, %d workers: %.0f views/s (%.0f weak+strong pairs/s, %.2f SSL batches/s);"
              + " one thread %.0f views/s",
          side, side, ch, m.batch(), m.mu(), m.workers(), m.viewsPerSecond(), m.unlabeledPairsPerSecond(),
          m.sslStepsPerSecond(), m.singleThreadViewsPerSecond()));
    } else {
      OpProfile profile = new OpProfile();
      // With TF_CONFIG, this process is one worker of a multi-worker step.
      StepBench.Measurement m = StepBench.measure(cfg, side, ch, classes, warmup, steps, minSeconds, profileSteps,
          profile, TfConfig.fromEnvironment().orElse(null));
      result = m;
      if (json) {
        out.println(toJson(m));
      } else {
        out.printf(Locale.ROOT, "%s %s %s, B=%d, mu=%d (%d images/step), %d steps, %d threads: %.1f images/s (%.1f ms/step)%n",
            m.model(), m.algorithm(), m.precision(), m.batch(), m.mu(), m.imagesPerStep(), m.steps(), m.threads(),
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

  static String toJson(Object measurement) {
    try {
      return JSON.writeValueAsString(measurement);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise " + measurement, e);
    }
  }

}

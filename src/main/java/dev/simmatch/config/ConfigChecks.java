package dev.simmatch.config;

import dev.simmatch.UserInputException;
import dev.simmatch.algorithms.AlgorithmRegistry;
import dev.simmatch.train.LearningRate;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Range and choice checks of every config value that can be judged without the data, run once
 * when a config is loaded, so a bad value is reported by key before any data is read or any graph
 * is built. Checks that need the dataset (labels per class, image sizes) stay with the code that
 * reads it. Upper bounds are far above any sensible setting; they keep a typo such as an extra
 * zero from turning into an out-of-memory crash minutes later.
 */
public final class ConfigChecks {
  private static final int MAX_BATCH = 1 << 16;
  private static final int MAX_THREADS = 1024;
  private static final int MAX_PROJ_DIM = 1 << 16;
  private static final int MAX_QUEUE = 1 << 20;
  private static final int MAX_REPLICAS = 64;
  /** One day: a step longer than that is a hang. */
  private static final double MAX_TIMEOUT_SECONDS = 86_400;
  /** Algorithms whose step is defined for train.replicas > 1. */
  static final List<String> REPLICATED = List.of("supervised", "fixmatch", "simmatch");
  private static final Pattern WRN = Pattern.compile("wrn([0-9]{1,4})_([0-9]{1,4})");
  private static final Pattern CHECKPOINT = Pattern.compile("best|latest|step-[0-9]{1,18}");

  private final String origin;

  private ConfigChecks(String origin) {
    this.origin = origin;
  }

  /** @throws UserInputException naming the first key whose value is out of range */
  static void check(Config c, String origin) {
    new ConfigChecks(origin).all(c);
  }

  private void all(Config c) {
    Config.Algorithm a = c.algorithm();
    choice("algorithm.name", a.name(), AlgorithmRegistry.NAMES.toArray(String[]::new));
    unit("algorithm.tau", a.tau());
    atLeast("algorithm.lambda_u", a.lambdaU(), 0);
    atLeast("algorithm.lambda_in", a.lambdaIn(), 0);
    above("algorithm.t_teacher", a.tTeacher(), 0);
    above("algorithm.t_student", a.tStudent(), 0);
    unit("algorithm.alpha", a.alpha());
    choice("algorithm.teacher", a.teacher(), "online", "ema");
    choice("algorithm.bank_update", a.bankUpdate(), "overwrite", "momentum");
    unit("algorithm.bank_momentum", a.bankMomentum());
    range("algorithm.warmup_steps", a.warmupSteps(), 0, Integer.MAX_VALUE);
    choice("algorithm.da", a.da(), "none", "queue", "ema");
    range("algorithm.da_len", a.daLen(), 1, MAX_QUEUE);
    atLeast("algorithm.da_eps", a.daEps(), 0);
    unitOpen("algorithm.da_momentum", a.daMomentum());
    choice("algorithm.da_target", a.daTarget(), "uniform", "labeled");
    above("algorithm.sharpen_t", a.sharpenT(), 0);
    above("algorithm.mixup_alpha", a.mixupAlpha(), 0);
    atLeast("algorithm.lambda_kl", a.lambdaKl(), 0);
    atLeast("algorithm.lambda_rot", a.lambdaRot(), 0);
    unit("algorithm.unsup_warm_up", a.unsupWarmUp());
    above("algorithm.temperature", a.temperature(), 0);
    // Algorithm distill reports a missing one itself: committed distill configs leave it to the
    // pipeline (teacher_from) or --set, and must still pass these checks.
    if (a.teacherRun() != null && a.teacherRun().isBlank()) {
      fail("algorithm.teacher_run", "must name a run directory or be null", "''");
    }
    if (a.teacherCheckpoint() == null || !CHECKPOINT.matcher(a.teacherCheckpoint()).matches()) {
      fail("algorithm.teacher_checkpoint", "must be best, latest or step-N", a.teacherCheckpoint());
    }
    choice("algorithm.teacher_weights", a.teacherWeights(), "ema", "raw");
    above("algorithm.distill_temperature", a.distillTemperature(), 0);
    unit("algorithm.distill_alpha", a.distillAlpha());

    Config.Data d = c.data();
    choice("data.dataset", d.dataset(), "fashion-mnist", "mnist", "cifar10", "cifar100", "stl10", "folder");
    range("data.labels", d.labels(), 1, Integer.MAX_VALUE);
    if (!(d.cropPad() >= 0 && d.cropPad() < 0.5)) {
      fail("data.crop_pad", "must be a fraction of the side in [0, 0.5)", d.cropPad());
    }
    choice("data.strong", d.strong(), "randaugment", "imagenet", "simclr");
    if (!(d.cropMinArea() > 0 && d.cropMinArea() <= 1)) {
      fail("data.crop_min_area", "must be a fraction of the image in (0, 1]", d.cropMinArea());
    }
    atLeast("data.jitter_strength", d.jitterStrength(), 0);
    unit("data.jitter_prob", d.jitterProb());
    unit("data.grayscale_prob", d.grayscaleProb());
    unit("data.blur_prob", d.blurProb());
    choice("data.randaugment", d.randaugment(), "usb", "fixmatch");
    range("data.ra_ops", d.raOps(), 0, 64);
    range("data.ra_magnitude", d.raMagnitude(), 2, 10);
    choice("data.cutout", d.cutout(), "usb", "fixed16", "none");
    int channels = switch (d.dataset()) {
      case "fashion-mnist", "mnist" -> 1;
      case "folder" -> -1;
      default -> 3;
    };
    perChannel("data.mean", d.mean(), false, channels);
    perChannel("data.std", d.std(), true, channels);
    range("data.workers", d.workers(), 1, MAX_THREADS);
    range("data.prefetch", d.prefetch(), 1, 1024);
    if (d.imageSize() != null) {
      range("data.image_size", d.imageSize(), 1, 8192);
    }
    if (d.extraUnlabeledLimit() != null) {
      range("data.extra_unlabeled_limit", d.extraUnlabeledLimit(), 0, Integer.MAX_VALUE);
    }

    Config.Model m = c.model();
    arch(m.arch());
    range("model.proj_dim", m.projDim(), 1, MAX_PROJ_DIM);
    unitOpen("model.bn_momentum", m.bnMomentum());
    choice("model.head", m.head(), "simmatch", "simclr", "none");
    range("model.proj_layers", m.projLayers(), 1, 16);
    range("model.ft_proj_selector", m.ftProjSelector(), -1, m.projLayers());

    Config.Train t = c.train();
    range("train.steps", t.steps(), 1, Integer.MAX_VALUE);
    range("train.batch_size", t.batchSize(), 1, MAX_BATCH);
    range("train.mu", t.mu(), 1, 1024);
    if ((long) t.batchSize() * (1 + 2L * t.mu()) > MAX_BATCH * 4L) {
      fail("train.batch_size", "with train.mu " + t.mu() + " gives " + (long) t.batchSize() * (1 + 2L * t.mu())
          + " images per step, more than " + MAX_BATCH * 4L, t.batchSize());
    }
    above("train.lr", t.lr(), 0);
    unitOpen("train.momentum", t.momentum());
    atLeast("train.weight_decay", t.weightDecay(), 0);
    choice("train.schedule", t.schedule(), "cosine", "warmup-cosine", "constant");
    choice("train.precision", t.precision(), Precision.VALUES.toArray(String[]::new));
    choice("train.optimizer", t.optimizer(), "sgd", "lars");
    above("train.lars_eeta", t.larsEeta(), 0);
    regexes("train.lars_exclude", t.larsExclude());
    regexes("train.lars_plain_decay", t.larsPlainDecay());
    choice("train.lr_scaling", t.lrScaling(), LearningRate.SCALINGS.toArray(String[]::new));
    atLeast("train.cosine_cycles", t.cosineCycles(), 0);
    range("train.warmup_steps", t.warmupSteps(), 0, Integer.MAX_VALUE);
    if ("warmup-cosine".equals(t.schedule()) && t.warmupSteps() >= t.steps()) {
      fail("train.warmup_steps", "must be below train.steps (" + t.steps() + ")", t.warmupSteps());
    }
    unitOpen("train.ema", t.ema());
    range("train.eval_every", t.evalEvery(), 1, Integer.MAX_VALUE);
    range("train.eval_batch_size", t.evalBatchSize(), 1, MAX_BATCH);
    range("train.checkpoint_every", t.checkpointEvery(), 1, Integer.MAX_VALUE);
    range("train.keep_checkpoints", t.keepCheckpoints(), 1, 1_000_000);
    range("train.threads", t.threads(), 1, MAX_THREADS);
    replicas(c);
    if (t.runsDir() == null || t.runsDir().isBlank()) {
      fail("train.runs_dir", "must name a directory", t.runsDir());
    }
  }

  /**
   * Data parallelism splits every part of the batch evenly and keeps the algorithm's state
   * identical on every replica; that is implemented for the algorithms below only.
   */
  private void replicas(Config c) {
    Config.Train t = c.train();
    range("train.replicas", t.replicas(), 1, MAX_REPLICAS);
    choice("train.replica_device", t.replicaDevice(), "cpu", "gpu");
    above("train.collective_timeout", t.collectiveTimeout(), 0);
    if (t.collectiveTimeout() > MAX_TIMEOUT_SECONDS) {
      fail("train.collective_timeout", "must be at most " + MAX_TIMEOUT_SECONDS + " seconds", t.collectiveTimeout());
    }
    if (t.replicas() > 1) {
      if (t.batchSize() % t.replicas() != 0) {
        fail("train.replicas", "must divide train.batch_size (" + t.batchSize() + ")", t.replicas());
      }
      choice("algorithm.name (with train.replicas > 1)", c.algorithm().name(), REPLICATED.toArray(String[]::new));
    }
  }

  /**
   * A config run by one worker of a W-worker cluster (TF_CONFIG): every worker takes batch_size/W
   * of each part of the batch, and the algorithm must have a replicated step.
   *
   * @throws UserInputException naming the key that does not fit W workers
   */
  public static void checkWorkers(Config c, int workers, String origin) {
    ConfigChecks k = new ConfigChecks(origin);
    Config.Train t = c.train();
    if (t.replicas() > 1) {
      k.fail("train.replicas", "must be 1 in a multi-worker run (TF_CONFIG with " + workers + " workers): one replica"
          + " per worker", t.replicas());
    }
    if (t.batchSize() % workers != 0) {
      k.fail("train.batch_size", "must be divisible by the " + workers + " workers of TF_CONFIG", t.batchSize());
    }
    k.choice("algorithm.name (with TF_CONFIG)", c.algorithm().name(), REPLICATED.toArray(String[]::new));
  }

  private void choice(String key, String v, String... allowed) {
    if (!List.of(allowed).contains(v)) {
      fail(key, "must be one of " + String.join(", ", allowed), v == null ? null : "'" + v + "'");
    }
  }

  /** [0, 1]. */
  private void unit(String key, double v) {
    if (!(v >= 0 && v <= 1)) {
      fail(key, "must be in [0, 1]", v);
    }
  }

  /** [0, 1). */
  private void unitOpen(String key, double v) {
    if (!(v >= 0 && v < 1)) {
      fail(key, "must be in [0, 1)", v);
    }
  }

  private void atLeast(String key, double v, double min) {
    if (!(v >= min) || Double.isInfinite(v)) {
      fail(key, "must be a finite number >= " + min, v);
    }
  }

  private void above(String key, double v, double min) {
    if (!(v > min) || Double.isInfinite(v)) {
      fail(key, "must be a finite number > " + min, v);
    }
  }

  private void range(String key, long v, long min, long max) {
    if (v < min || v > max) {
      fail(key, max == Integer.MAX_VALUE ? "must be at least " + min : "must be in [" + min + ", " + max + "]", v);
    }
  }

  /** A list of valid Java regular expressions (null: none). */
  private void regexes(String key, List<String> values) {
    if (values == null) {
      return;
    }
    for (int i = 0; i < values.size(); i++) {
      String r = values.get(i);
      if (r == null) {
        fail(key + "[" + i + "]", "must be a regular expression", null);
      }
      try {
        Pattern.compile(r);
      } catch (PatternSyntaxException e) {
        fail(key + "[" + i + "]", "is not a valid regular expression (" + e.getDescription() + ")", "'" + r + "'");
      }
    }
  }

  /** cnn-small, resnet50 or wrn&lt;depth&gt;_&lt;widen&gt; with depth = 6n+4 (bounded: a typo must not build a giant). */
  private void arch(String arch) {
    if ("cnn-small".equals(arch) || "resnet50".equals(arch)) {
      return;
    }
    Matcher wrn = WRN.matcher(arch == null ? "" : arch);
    if (wrn.matches()) {
      int depth = Integer.parseInt(wrn.group(1));
      int widen = Integer.parseInt(wrn.group(2));
      if (depth >= 10 && depth <= 100 && (depth - 4) % 6 == 0 && widen >= 1 && widen <= 16) {
        return;
      }
    }
    fail("model.arch", "must be cnn-small, resnet50, or wrn<depth>_<widen> with depth = 6n+4 in [10, 100] and widen in"
        + " [1, 16] (wrn28_2, wrn28_8)", arch == null ? null : "'" + arch + "'");
  }

  /** A per-channel list: null (the dataset's default) or one finite value per channel. */
  private void perChannel(String key, List<Double> values, boolean positive, int channels) {
    if (values == null) {
      return;
    }
    if (channels > 0 ? values.size() != channels : values.size() != 1 && values.size() != 3) {
      fail(key, "must list one value per channel (" + (channels > 0 ? channels : "1 or 3") + ")", values);
    }
    for (int i = 0; i < values.size(); i++) {
      Double v = values.get(i);
      if (v == null || !Double.isFinite(v) || (positive && v <= 0)) {
        fail(key + "[" + i + "]", positive ? "must be a finite number > 0" : "must be a finite number", v);
      }
    }
  }

  private void fail(String key, String what, Object got) {
    throw new UserInputException("config " + origin + ": key '" + key + "' " + what + ", got " + got);
  }
}

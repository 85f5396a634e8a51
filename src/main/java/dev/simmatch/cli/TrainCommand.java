package dev.simmatch.cli;

import dev.simmatch.config.Config;
import dev.simmatch.distributed.TfConfig;
import dev.simmatch.train.ProgressListener;
import dev.simmatch.train.TrainResult;
import dev.simmatch.train.Trainer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code simmatch train --config FILE [--set k=v]... [--run-dir DIR] [--resume | --resume-from CHECKPOINT]}. */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Train a model; writes a run directory.")
public final class TrainCommand implements Callable<Integer> {
  @Mixin ConfigOptions options;

  @Option(names = "--run-dir", paramLabel = "DIR", description = "Run directory (default: train.runs_dir/<name>).")
  Path runDir;

  @Option(names = "--resume", description = "Continue from the run directory's latest checkpoint.")
  boolean resume;

  @Option(
      names = "--resume-from",
      paramLabel = "CHECKPOINT",
      description = "Continue from this checkpoint directory (e.g. RUN/checkpoints/step-00000500) instead of the latest;"
          + " newer checkpoints of the run are renamed discarded-step-N.")
  Path resumeFrom;

  @Option(
      names = "--check",
      description = "Check the config against the data and build the training graph, then stop (nothing is written).")
  boolean check;

  /** The result of the last call, for callers that run the command in-process. */
  TrainResult result;

  @Override
  public Integer call() {
    Config cfg = options.load();
    Path dir = runDir != null ? runDir : Trainer.defaultRunDir(cfg);
    if (check) {
      int labeled = new Trainer(cfg, dir, resume, resumeFrom).check().labeled().length;
      System.out.printf("config OK: %s, %s on %s with %d labels, model %s, %d steps%n",
          cfg.runName(), cfg.algorithm().name(), cfg.data().dataset(), labeled, cfg.model().arch(), cfg.train().steps());
      return 0;
    }
    Trainer trainer = new Trainer(cfg, dir, resume, resumeFrom).listen(new ProgressListener());
    TfConfig.fromEnvironment().ifPresent(trainer::inCluster);
    result = trainer.run();
    if (result == null) {
      return 0; // a worker other than the chief: it logged its end, the chief reports the run
    }
    System.out.printf(
        "run %s: best top-1 ema %.2f%% (step %d), median of last %d ema %.2f%%, final raw %.2f%%, %.0f img/s%n",
        dir, result.bestTop1Ema(), result.bestStepEma(), Math.min(20, result.evaluations()),
        result.medianLast20Top1Ema(), result.finalTop1Raw(), result.imagesPerSecond());
    return 0;
  }
}

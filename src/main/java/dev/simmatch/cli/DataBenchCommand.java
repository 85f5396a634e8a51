package dev.simmatch.cli;

import dev.simmatch.UserInputException;
import dev.simmatch.config.Config;
import dev.simmatch.data.Dataset;
import dev.simmatch.data.Datasets;
import dev.simmatch.data.Normalizer;
import dev.simmatch.data.PipelineBenchmark;
import dev.simmatch.data.SyntheticImages;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code simmatch data bench}: images per second of the augmentation and batching pipeline
 * (labeled weak views, unlabeled weak+strong pairs), in one thread and with the worker pool.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Measure the augmentation pipeline: images/s in one thread and with the worker pool.")
public final class DataBenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin DataCommand.DataOptions options;

  @Option(names = "--synthetic", paramLabel = "HxWxC",
      description = "Random images of this shape (e.g. 32x32x3) instead of a dataset; normalised with mean 0.5, std 0.25.")
  String synthetic;

  @Option(names = "--seconds", defaultValue = "3", paramLabel = "S", description = "Length of each of the four measurements (default 3).")
  double seconds;

  @Option(names = "--threads", paramLabel = "N", description = "Worker threads of the pool (default data.workers).")
  Integer threads;

  @Option(names = "--shards", defaultValue = "1", paramLabel = "W",
      description = "Time one worker's pipeline in a run of W workers (its 1/W of every batch; default 1, whole batches).")
  int shards;

  /** The last measurement, for callers and tests. */
  PipelineBenchmark.Result result;

  @Override
  public Integer call() {
    if (!(seconds > 0)) {
      throw new UserInputException("--seconds is " + seconds + ", expected > 0");
    }
    Config cfg = options.load(List.of());
    int pool = threads != null ? threads : cfg.data().workers();
    if (pool < 1) {
      throw new UserInputException((threads != null ? "--threads" : "data.workers") + " is " + pool + ", expected >= 1");
    }
    if (shards < 1 || cfg.train().batchSize() % shards != 0) {
      throw new UserInputException("--shards is " + shards + ", expected a divisor of train.batch_size "
          + cfg.train().batchSize());
    }
    Dataset train;
    Normalizer norm;
    if (synthetic != null) {
      train = SyntheticImages.of(synthetic);
      float[] mean = new float[train.channels()];
      float[] std = new float[train.channels()];
      Arrays.fill(mean, 0.5f);
      Arrays.fill(std, 0.25f);
      norm = new Normalizer(mean, std);
    } else {
      train = Datasets.load(cfg.data()).train();
      norm = Normalizer.forConfig(cfg.data(), train.channels());
    }
    result = PipelineBenchmark.run(train, cfg, norm, pool, seconds, shards);
    spec.commandLine().getOut().print(result.table());
    spec.commandLine().getOut().flush();
    return 0;
  }
}

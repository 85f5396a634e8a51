package dev.simmatch.cli;

import dev.simmatch.config.Config;
import dev.simmatch.data.Dataset;
import dev.simmatch.data.Datasets;
import dev.simmatch.data.LabeledSplit;
import dev.simmatch.data.Normalizer;
import dev.simmatch.train.Checkpoints;
import dev.simmatch.train.EvalGraph;
import dev.simmatch.train.EvalResult;
import dev.simmatch.train.KnnMonitor;
import dev.simmatch.train.RunDirs;
import dev.simmatch.train.Trainer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.tensorflow.Session;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code simmatch eval --run-dir DIR [--checkpoint best|latest|PATH]}: test-set accuracy of a checkpoint. */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Evaluate a run's checkpoint on the test set.")
public final class EvalCommand implements Callable<Integer> {
  @Option(names = "--run-dir", required = true, paramLabel = "DIR")
  Path runDir;

  @Option(names = "--checkpoint", defaultValue = "best", paramLabel = "best|latest|PATH")
  String checkpoint;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Override data.dir of the run.")
  Path dataDir;

  @Option(names = "--knn-split", paramLabel = "FILE",
      description = "Also report the k-NN top-1 (cosine, k=20, online pooled features) with this split.json's labeled"
          + " images as memory (e.g. the run's own split.json).")
  Path knnSplit;

  EvalResult result;

  /** The k-NN top-1 of the last call with --knn-split, else NaN. */
  double knnTop1 = Double.NaN;

  @Override
  public Integer call() {
    Config cfg = RunDirs.config(runDir, dataDir == null ? List.of() : List.of(ConfigOptions.setString("data.dir", dataDir.toString())));
    Path ckpt = RunDirs.checkpoint(runDir, checkpoint);
    Dataset test = Datasets.load(cfg.data()).test();
    Normalizer norm = Normalizer.forConfig(cfg.data(), test.channels());
    try (EvalGraph g = new EvalGraph(cfg, test.height(), test.width(), test.channels(), test.numClasses());
        Session s = new Session(g.graph, Trainer.sessionConfig(cfg.train()))) {
      Checkpoints.restore(s, ckpt);
      long step = ckpt.getFileName().toString().startsWith("step-") ? Checkpoints.stepOf(ckpt) : -1;
      result = g.evaluator().evaluate(s, test, norm, cfg.train().evalBatchSize(), step);
      if (knnSplit != null) {
        Dataset train = Datasets.load(cfg.data()).train();
        int[] memory = LabeledSplit.read(knnSplit, train).labeled();
        knnTop1 = new KnnMonitor(g.images, g.featuresRaw, Trainer.KNN_K)
            .top1(s, train, memory, test, norm, cfg.train().evalBatchSize());
      }
    }
    if (knnSplit != null) {
      System.out.printf("%s: k-NN (k=%d, cosine) top-1 with the labeled images of %s as memory: %.2f%%%n",
          ckpt, Trainer.KNN_K, knnSplit, knnTop1);
    }
    System.out.printf(
        "%s on %s (%d images): top-1 ema %.2f%%, top-5 ema %.2f%%, top-1 raw %.2f%%, top-5 raw %.2f%%%n",
        ckpt, test.name(), result.images(), result.top1Ema(), result.top5Ema(), result.top1Raw(), result.top5Raw());
    return 0;
  }
}

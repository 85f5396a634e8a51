package dev.simmatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.simmatch.config.ConfigLoader;
import dev.simmatch.train.MetricsCsv;
import dev.simmatch.train.TinyData;
import dev.simmatch.train.Trainer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code eval --knn-split} reproduces the k-NN monitor of a SimCLR run at its last checkpoint. */
class EvalKnnTest {
  @Test
  void knnOfTheLastCheckpointEqualsTheMonitor(@TempDir Path dir) throws Exception {
    Path data = TinyData.write(dir.resolve("data"), 4, 6, 3, 9);
    Path run = dir.resolve("run");
    new Trainer(ConfigLoader.load(null, List.of(
        "data.dataset=folder", "data.dir=" + data, "data.labels=8", "data.workers=1", "data.prefetch=1",
        "model.arch=cnn-small", "model.proj_dim=16", "model.head=simclr", "data.strong=simclr",
        "algorithm.name=simclr", "train.optimizer=lars", "train.lr=1.0", "train.steps=3", "train.batch_size=4",
        "train.mu=2", "train.eval_every=3", "train.eval_batch_size=8", "train.threads=1")), run, false).run();
    List<Map<String, Double>> rows = MetricsCsv.read(run, Long.MAX_VALUE);
    EvalCommand eval = new EvalCommand();
    eval.runDir = run;
    eval.checkpoint = "latest";
    eval.knnSplit = run.resolve("split.json");
    assertEquals(0, eval.call());
    assertEquals(rows.get(rows.size() - 1).get("knn_top1"), eval.knnTop1, 1e-9);
  }
}

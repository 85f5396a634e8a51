package dev.simmatch.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.simmatch.UserInputException;
import dev.simmatch.config.Config;
import dev.simmatch.config.ConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End-to-end training on a tiny image folder: resume equivalence, divergence, run directory. */
class TrainerTest {
  @TempDir static Path data;
  @TempDir Path runs;

  @BeforeAll
  static void writeData() {
    TinyData.write(data, 4, 6, 3, 7);
  }

  /** SimMatch with every piece of state active: bank, DA queue, EMA, optimizer slots, schedule. */
  static Config config(String... extra) {
    return config(data, extra);
  }

  /** As {@link #config(String...)} over the tiny image folder in {@code data}. */
  static Config config(Path data, String... extra) {
    List<String> sets = new ArrayList<>(List.of(
        "data.dataset=folder", "data.dir=" + data, "data.labels=8", "data.workers=1", "data.prefetch=1",
        "model.arch=cnn-small", "model.proj_dim=16",
        "algorithm.name=simmatch", "algorithm.warmup_steps=2", "algorithm.da_len=4",
        "train.steps=6", "train.batch_size=4", "train.mu=2", "train.eval_every=3", "train.checkpoint_every=3",
        "train.eval_batch_size=5", "train.threads=1", "train.keep_checkpoints=5"));
    sets.addAll(List.of(extra));
    return ConfigLoader.load(null, sets);
  }

  /** Stops the run (as a crash would) once the given step has been taken. */
  static final class CrashAfter implements TrainingListener {
    private final long step;

    CrashAfter(long step) {
      this.step = step;
    }

    @Override
    public void onStep(long done, double loss, double lr, double ips) {
      if (done == step) {
        throw new IllegalStateException("simulated crash after step " + done);
      }
    }
  }

  @Test
  void resumedRunEndsWithTheSameWeightsAsAStraightRun() throws IOException {
    Path straight = runs.resolve("straight");
    TrainResult a = new Trainer(config(), straight, false).run();

    Path interrupted = runs.resolve("interrupted");
    assertThrows(IllegalStateException.class,
        () -> new Trainer(config(), interrupted, false).listen(new CrashAfter(5)).run());
    assertEquals(3, Checkpoints.stepOf(Checkpoints.latest(interrupted).orElseThrow()));
    TrainResult b = new Trainer(config(), interrupted, true).run();

    byte[] wantData = Files.readAllBytes(straight.resolve("checkpoints/step-00000006/ckpt.data-00000-of-00001"));
    byte[] gotData = Files.readAllBytes(interrupted.resolve("checkpoints/step-00000006/ckpt.data-00000-of-00001"));
    assertArrayEquals(wantData, gotData, "every variable (weights, EMA, slots, bank, DA queue, step) matches");
    assertEquals(Files.readAllLines(straight.resolve("metrics.csv")).size(),
        Files.readAllLines(interrupted.resolve("metrics.csv")).size());
    assertEquals(a.finalTop1Ema(), b.finalTop1Ema());
    assertEquals(a.finalTop1Raw(), b.finalTop1Raw());
    assertEquals(6, b.steps());
    assertEquals(2, b.evaluations(), "the evaluation at step 3 is kept from the first attempt");
  }

  @Test
  void runDirectoryHoldsConfigSplitMetricsResultAndCheckpoints() throws IOException {
    Path run = runs.resolve("r");
    TrainResult r = new Trainer(config(), run, false).run();
    for (String f : List.of("config.yaml", "split.json", "dataset.json", "metrics.csv", "result.json", "checkpoints/latest",
        "checkpoints/best/ckpt.index")) {
      assertTrue(Files.exists(run.resolve(f)), f);
    }
    assertTrue(Files.list(run.resolve("events")).findAny().isPresent(), "TensorBoard event file");
    assertEquals(config(), ConfigLoader.load(run.resolve("config.yaml"), List.of()));
    String header = Files.readAllLines(run.resolve("metrics.csv")).get(0);
    for (String col : List.of("top1_ema", "top1_raw", "loss_x", "loss_u", "loss_in", "mask_ratio", "pseudo_label_acc")) {
      assertTrue(header.contains(col), header);
    }
    String json = Files.readString(run.resolve("result.json"));
    for (String key : List.of("best_top1_ema", "median_last20_top1_ema", "final_top1_ema", "final_top1_raw", "steps",
        "images_per_second")) {
      assertTrue(json.contains("\"" + key + "\""), json);
    }
    assertTrue(r.imagesPerSecond() > 0);
    assertTrue(r.bestTop1Ema() >= r.finalTop1Ema());
  }

  @Test
  void resumingAFinishedRunReturnsItsResult() {
    Path run = runs.resolve("done");
    TrainResult first = new Trainer(config("train.steps=3"), run, false).run();
    assertEquals(first, new Trainer(config("train.steps=3"), run, true).run());
  }

  @Test
  void startingAgainOverAnExistingRunNeedsResume() {
    Path run = runs.resolve("again");
    new Trainer(config("train.steps=3"), run, false).run();
    UserInputException e =
        assertThrows(UserInputException.class, () -> new Trainer(config("train.steps=3"), run, false).run());
    assertTrue(e.getMessage().contains("--resume"), e.getMessage());
  }

  @Test
  void divergenceStopsWithoutTouchingTheLastGoodCheckpoint() throws IOException {
    Path run = runs.resolve("nan");
    Config cfg = config("train.lr=1.0e30", "train.schedule=constant", "train.checkpoint_every=1",
        "algorithm.name=supervised", "train.steps=50");
    TrainingDivergedException e =
        assertThrows(TrainingDivergedException.class, () -> new Trainer(cfg, run, false).run());
    Path latest = Checkpoints.latest(run).orElseThrow();
    assertTrue(e.getMessage().contains(latest.toString()), e.getMessage());
    assertTrue(Files.isRegularFile(latest.resolve("ckpt.index")));
    assertFalse(Files.exists(run.resolve("result.json")));
    assertNotEquals(50, Checkpoints.stepOf(latest));
  }
}

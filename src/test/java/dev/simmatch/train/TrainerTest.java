package dev.simmatch.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.simmatch.UserInputException;
import dev.simmatch.algorithms.AlgorithmRegistry;
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
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

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

  /**
   * ReMixMatch: DA p_model, the rotation head (online and EMA), two strong views, the rotated view
   * and the host-side MixUp draws must all come back the same after a resume.
   */
  @Test
  void resumedReMixMatchRunEndsWithTheSameStateAsAStraightRun() throws IOException {
    String[] rmm = {"algorithm.name=remixmatch", "algorithm.da=ema", "algorithm.da_target=labeled",
        "algorithm.lambda_u=1.5", "algorithm.unsup_warm_up=0.5", "train.mu=1"};
    Path straight = runs.resolve("rmm-straight");
    TrainResult a = new Trainer(config(rmm), straight, false).run();

    Path interrupted = runs.resolve("rmm-interrupted");
    assertThrows(IllegalStateException.class,
        () -> new Trainer(config(rmm), interrupted, false).listen(new CrashAfter(5)).run());
    TrainResult b = new Trainer(config(rmm), interrupted, true).run();

    String ckpt = "checkpoints/step-00000006/ckpt.data-00000-of-00001";
    assertArrayEquals(Files.readAllBytes(straight.resolve(ckpt)), Files.readAllBytes(interrupted.resolve(ckpt)),
        "every variable (weights, EMA, slots, p_model, rotation head, step) matches");
    assertEquals(a.finalTop1Ema(), b.finalTop1Ema());
    // p_model starts at zeros; restored from the checkpoint it is an average of probability rows.
    Config cfg = config(rmm);
    float[] uniform = {0.25f, 0.25f, 0.25f, 0.25f};
    try (TrainGraph g = new TrainGraph(cfg, AlgorithmRegistry.create(cfg, 4, 8, 16, uniform), TinyData.SIDE,
            TinyData.SIDE, 1, 4);
        Session s = new Session(g.graph)) {
      Checkpoints.restore(s, straight.resolve("checkpoints/step-00000006"));
      try (Result r = s.runner().fetch("remixmatch/da_p_model").fetch("rot_classifier.weight")
          .fetch("ema/rot_classifier.weight").run()) {
        float[] pModel = new float[4];
        ((TFloat32) r.get(0)).copyTo(DataBuffers.of(pModel, false, false));
        assertEquals(1.0, pModel[0] + pModel[1] + pModel[2] + pModel[3], 1e-5);
        assertEquals(4, r.get(1).shape().get(1), "rotation head [D,4]");
        assertEquals(4, r.get(2).shape().get(1), "the EMA network carries the rotation head");
      }
    }
    // The serving graph has no rotation head.
    Path exported = runs.resolve("rmm-exported");
    assertEquals(0, dev.simmatch.cli.Main.commandLine().execute("export", "--run-dir", straight.toString(), "--out",
        exported.toString()));
    String servingGraph = new String(Files.readAllBytes(exported.resolve("1/saved_model.pb")),
        java.nio.charset.StandardCharsets.ISO_8859_1);
    assertTrue(servingGraph.contains("backbone.classifier.weight"), "the classifier is exported");
    assertFalse(servingGraph.contains("rot_classifier"), "the rotation head stays out of the serving graph");
    String header = Files.readAllLines(straight.resolve("metrics.csv")).get(0);
    for (String col : List.of("loss_x", "loss_u", "loss_u1", "loss_rot", "unsup_warmup", "pseudo_label_acc")) {
      assertTrue(header.contains(col), header);
    }
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
    for (String col : List.of("top1_ema", "top1_raw", "rss_mib", "peak_rss_mib", "loss_x", "loss_u", "loss_in", "mask_ratio", "pseudo_label_acc")) {
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

  @Test
  void aSecondTrainerOnARunDirectoryInUseIsRefusedAndALeftOverLockFileIsHarmless() throws IOException {
    Path run = runs.resolve("locked");
    try (RunLock held = RunLock.acquire(run)) {
      UserInputException e =
          assertThrows(UserInputException.class, () -> new Trainer(config("train.steps=3"), run, false).run());
      assertTrue(e.getMessage().contains("in use by another training process"), e.getMessage());
      assertTrue(e.getMessage().contains("pid " + ProcessHandle.current().pid()), e.getMessage());
      assertFalse(Files.exists(run.resolve("checkpoints")), "the refused trainer wrote nothing");
    }
    assertTrue(Files.exists(run.resolve(RunLock.FILE)), "the lock file stays; only the OS lock is released");
    assertEquals(3, new Trainer(config("train.steps=3"), run, false).run().steps());
  }

  @Test
  void aDamagedNewestCheckpointNamesTheFileAndTheIntactOneAndResumeFromContinuesExactly() throws IOException {
    Path straight = runs.resolve("straight2");
    new Trainer(config(), straight, false).run();
    Path run = runs.resolve("damaged");
    new Trainer(config(), run, false).run();
    Path step3 = run.resolve("checkpoints/step-00000003");
    Path data6 = run.resolve("checkpoints/step-00000006/ckpt.data-00000-of-00001");
    byte[] b = Files.readAllBytes(data6);
    b[b.length / 2] ^= 0x04;
    Files.write(data6, b);

    UserInputException e = assertThrows(UserInputException.class, () -> new Trainer(config(), run, true).run());
    assertTrue(e.getMessage().contains(data6.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("does not match"), e.getMessage());
    assertTrue(e.getMessage().contains("--resume-from " + step3), e.getMessage());

    TrainResult resumed = new Trainer(config(), run, false, step3).run();
    assertEquals(6, resumed.steps());
    assertArrayEquals(
        Files.readAllBytes(straight.resolve("checkpoints/step-00000006/ckpt.data-00000-of-00001")),
        Files.readAllBytes(data6));
    assertTrue(Files.isDirectory(run.resolve("checkpoints/discarded-step-00000006")), "the damaged one is kept aside");
    assertEquals("step-00000006", Files.readString(run.resolve("checkpoints/latest")).trim());
  }

  @Test
  void aDamagedLatestPointerIsAnErrorNotAFreshStart() throws IOException {
    Path run = runs.resolve("pointer");
    new Trainer(config("train.steps=3"), run, false).run();
    Files.writeString(run.resolve("checkpoints/latest"), "step-0\u00ff0003\n");
    UserInputException e =
        assertThrows(UserInputException.class, () -> new Trainer(config("train.steps=3"), run, true).run());
    assertTrue(e.getMessage().contains("checkpoints/latest is damaged"), e.getMessage());
    assertTrue(e.getMessage().contains("--resume-from " + run.resolve("checkpoints/step-00000003")), e.getMessage());
  }

  @Test
  void leftoversOfAKilledSaveAreCleanedAndABestBeingReplacedComesBack() throws IOException {
    Path run = runs.resolve("leftovers");
    assertThrows(IllegalStateException.class,
        () -> new Trainer(config(), run, false).listen(new CrashAfter(5)).run());
    Path ckpts = run.resolve("checkpoints");
    Files.createDirectories(ckpts.resolve(".tmp-step-00000006-123/sub"));
    Files.writeString(ckpts.resolve(".latest-99"), "step-00000006\n");
    Files.move(ckpts.resolve("best"), ckpts.resolve(".old-best"));
    new Trainer(config(), run, true).run();
    try (var names = Files.list(ckpts)) {
      List<String> left = names.map(p -> p.getFileName().toString()).sorted().toList();
      assertEquals(List.of("best", "latest", "step-00000003", "step-00000006"), left);
    }
  }

  @Test
  void aMetricsRowCutShortByAFullDiskIsSkippedOnResume() throws IOException {
    Path run = runs.resolve("metrics");
    Files.createDirectories(run);
    Files.writeString(run.resolve("metrics.csv"), "step,top1_ema,loss\n3,50,1.5\n6,7");
    List<java.util.Map<String, Double>> rows = MetricsCsv.read(run, 10);
    assertEquals(1, rows.size());
    Files.writeString(run.resolve("metrics.csv"), "step,top1_ema,loss\n3,50,1.5\n6,7,1.2e");
    rows = MetricsCsv.read(run, 10);
    assertEquals(1, rows.size());
    assertEquals(50.0, rows.get(0).get("top1_ema"));
  }
}

package dev.simmatch.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.simmatch.UserInputException;
import dev.simmatch.algorithms.AlgorithmRegistry;
import dev.simmatch.config.Config;
import dev.simmatch.config.ConfigLoader;
import dev.simmatch.model.Network;
import dev.simmatch.model.Networks;
import dev.simmatch.model.Params;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** train.init_from: what is copied from which checkpoint, and the errors for runs that do not fit. */
class InitFromTest {
  @TempDir static Path data;
  @TempDir static Path runs;
  static Path simclr;

  static Config config(String... extra) {
    List<String> sets = new ArrayList<>(List.of(
        "data.dataset=folder", "data.dir=" + data, "data.labels=8", "data.workers=1", "data.prefetch=1",
        "model.arch=cnn-small", "model.proj_dim=16", "train.steps=2", "train.batch_size=4", "train.mu=2",
        "train.eval_every=2", "train.checkpoint_every=1", "train.eval_batch_size=8", "train.threads=1",
        "train.keep_checkpoints=5"));
    sets.addAll(List.of(extra));
    return ConfigLoader.load(null, sets);
  }

  static Config simclrConfig(String... extra) {
    List<String> sets = new ArrayList<>(List.of("algorithm.name=simclr", "algorithm.temperature=0.5",
        "data.strong=simclr", "model.head=simclr", "model.proj_layers=3", "model.bn_momentum=0.9",
        "train.optimizer=lars", "train.lr=1.0", "train.schedule=warmup-cosine", "train.warmup_steps=1",
        "train.weight_decay=1.0e-4"));
    sets.addAll(List.of(extra));
    return config(sets.toArray(String[]::new));
  }

  @BeforeAll
  static void pretrain() {
    TinyData.write(data, 4, 6, 3, 11);
    simclr = runs.resolve("simclr");
    new Trainer(simclrConfig(), simclr, false).run();
  }

  /** Values of the named online variables after the trainer's initialisation from the config. */
  private static List<float[]> initialised(Config cfg, Path run, List<String> names) {
    try (TrainGraph g = new TrainGraph(cfg, AlgorithmRegistry.create(cfg, 4, 8, 16), 8, 8, 1, 4);
        Session s = new Session(g.graph)) {
      s.initialize();
      g.initFrom.apply(s, run);
      return fetch(s, g.online.params(), names);
    }
  }

  private static List<float[]> fetch(Session s, Params params, List<String> names) {
    List<float[]> out = new ArrayList<>();
    for (String n : names) {
      try (Result r = s.runner().fetch(params.read(n)).run()) {
        TFloat32 t = (TFloat32) r.get(0);
        float[] v = new float[Math.toIntExact(t.shape().size())];
        t.copyTo(DataBuffers.of(v, false, false));
        out.add(v);
      }
    }
    return out;
  }

  /** The source run's online variables as saved in one of its checkpoints. */
  private static List<float[]> saved(Path checkpoint, List<String> names) {
    Config src = simclrConfig();
    try (Graph g = new Graph()) {
      Network net = Networks.create(new Params(Ops.create(g), ""), "cnn-small", 4, 1, src.model(), 1);
      try (Session s = new Session(g)) {
        Checkpoints.restore(s, checkpoint);
        return fetch(s, net.params(), names);
      }
    }
  }

  @Test
  void encoderAndStatisticsComeFromTheChosenCheckpointAndTheClassifierIsZero() {
    List<String> names = List.of("backbone.conv1.weight", "backbone.bn5.running_var", "backbone.bn2.bias");
    Config latest = config("algorithm.name=fixmatch", "train.init_from=" + simclr);
    List<float[]> got = initialised(latest, runs.resolve("ft"), names);
    List<float[]> want = saved(simclr.resolve("checkpoints/step-00000002"), names);
    for (int i = 0; i < names.size(); i++) {
      assertArrayEquals(want.get(i), got.get(i), names.get(i));
    }
    List<float[]> step1 = saved(simclr.resolve("checkpoints/step-00000001"), names);
    List<float[]> fromStep1 = initialised(
        config("algorithm.name=fixmatch", "train.init_from=" + simclr, "train.init_checkpoint=step-1"),
        runs.resolve("ft1"), names);
    assertArrayEquals(step1.get(0), fromStep1.get(0));
    assertTrue(!java.util.Arrays.equals(step1.get(0), want.get(0)), "the two checkpoints differ");
    for (float[] v : initialised(latest, runs.resolve("ft"), List.of("backbone.classifier.weight", "backbone.classifier.bias"))) {
      for (float x : v) {
        assertEquals(0f, x);
      }
    }
  }

  @Test
  void headLayersUpToKAreTakenAndTheRestStartsFresh() {
    Config cfg = simclrConfig("algorithm.name=supervised", "model.ft_proj_selector=1", "train.init_from=" + simclr,
        "train.init_take=head:1", "train.init_zero_classifier=false");
    List<String> names = List.of("proj_head.0.dense.weight", "proj_head.0.bn.running_mean", "proj_head.1.dense.weight");
    List<float[]> got = initialised(cfg, runs.resolve("v2"), names);
    List<float[]> want = saved(simclr.resolve("checkpoints/step-00000002"), names);
    assertArrayEquals(want.get(0), got.get(0));
    assertArrayEquals(want.get(1), got.get(1));
    assertTrue(!java.util.Arrays.equals(want.get(2), got.get(2)), "layer 1 is not taken with head:1");
  }

  @Test
  void missingVariableNamesItAndBothRuns() {
    Config cfg = config("algorithm.name=fixmatch", "train.init_from=" + simclr, "train.init_take=all");
    UserInputException e = assertThrows(UserInputException.class, () -> initialised(cfg, runs.resolve("target"), List.of()));
    assertTrue(e.getMessage().contains("mlp_proj.0.weight") && e.getMessage().contains(simclr.toString())
        && e.getMessage().contains(runs.resolve("target").toString()), e.getMessage());
  }

  @Test
  void shapeMismatchNamesTheVariableAndBothShapes() {
    Config cfg = simclrConfig("model.proj_dim=8", "train.init_from=" + simclr, "train.init_take=all");
    UserInputException e = assertThrows(UserInputException.class, () -> initialised(cfg, runs.resolve("t8"), List.of()));
    assertTrue(e.getMessage().contains("proj_head.2.dense.weight") && e.getMessage().contains("[128, 8]")
        && e.getMessage().contains("[128, 16]"), e.getMessage());
  }

  @Test
  void missingCheckpointOrRunIsAnError() {
    UserInputException e = assertThrows(UserInputException.class, () -> InitFrom.checkpoint(simclr, "step-7"));
    assertTrue(e.getMessage().contains("step-7"), e.getMessage());
    assertThrows(UserInputException.class, () -> InitFrom.checkpoint(runs.resolve("nope"), "latest"));
    assertThrows(UserInputException.class, () -> InitFrom.checkpoint(simclr, "newest"));
    assertThrows(UserInputException.class, () -> initialised(
        config("algorithm.name=fixmatch", "train.init_from=" + simclr, "train.init_take=heads"), runs.resolve("x"), List.of()));
  }
}

package dev.simmatch.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.simmatch.UserInputException;
import dev.simmatch.train.TinyData;
import dev.simmatch.train.TrainingListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pipelines on a tiny dataset: stages in order, init from an earlier stage, skip, exact resume. */
class PipelineTest {
  @TempDir static Path data;
  @TempDir Path dir;

  @BeforeAll
  static void writeData() {
    TinyData.write(data, 4, 6, 3, 5);
  }

  /** Writes a base config, a simclr config and a two-stage pipeline into dir. */
  private Path pipeline(String name, String extraStage) throws IOException {
    Files.writeString(dir.resolve("base.yaml"), String.join("\n",
        "data: {dataset: folder, dir: '" + data + "', labels: 8, workers: 1, prefetch: 1}",
        "model: {arch: cnn-small, proj_dim: 16}",
        "train: {steps: 4, batch_size: 4, mu: 2, eval_every: 2, checkpoint_every: 2, eval_batch_size: 8,"
            + " threads: 1, keep_checkpoints: 5}", ""));
    Files.writeString(dir.resolve("simclr.yaml"), String.join("\n",
        "extends: base.yaml",
        "algorithm: {name: simclr, temperature: 0.5}",
        "data: {strong: simclr}",
        "model: {head: simclr, proj_layers: 2, bn_momentum: 0.9}",
        "train: {optimizer: lars, lr: 1.0, schedule: warmup-cosine, warmup_steps: 1, weight_decay: 1.0e-4}", ""));
    Files.writeString(dir.resolve("fixmatch.yaml"), "extends: base.yaml\nalgorithm: {name: fixmatch, da: none}\n");
    Path file = dir.resolve(name + ".yaml");
    Files.writeString(file, String.join("\n",
        "name: " + name,
        "stages:",
        "  - name: pretrain",
        "    config: simclr.yaml",
        "    set: {train.steps: 3}",
        "  - name: finetune",
        "    config: fixmatch.yaml",
        "    init_from: pretrain",
        "    set: {train.init_take: encoder}",
        extraStage, ""));
    return file;
  }

  @Test
  void stagesRunInOrderThenAreSkippedAndAnInterruptedStageResumesExactly() throws IOException {
    Path runs = dir.resolve("runs");
    PipelineSpec spec = PipelineSpec.read(pipeline("p", ""));
    Pipeline.Summary first = Pipeline.run(spec, 1, runs, List.of(), List::of);
    Path p = runs.resolve("p-s1");
    assertEquals(List.of("pretrain", "finetune"), first.stages().stream().map(Pipeline.StageSummary::stage).toList());
    assertEquals("simclr", first.stages().get(0).algorithm());
    assertTrue(first.stages().get(0).knnTop1() >= 0, "k-NN monitor of the pre-training stage");
    assertEquals(4, first.stages().get(1).steps());
    assertTrue(Files.readString(p.resolve("finetune/config.yaml")).contains("init_from: " + p.resolve("pretrain")));
    assertTrue(Files.isRegularFile(p.resolve("summary.md")) && Files.isRegularFile(p.resolve("summary.json")));

    Pipeline.Summary again = Pipeline.run(spec, 1, runs, List.of(), List::of);
    assertTrue(again.stages().stream().allMatch(Pipeline.StageSummary::skipped));
    assertEquals(first.stages().get(1).finalTop1Ema(), again.stages().get(1).finalTop1Ema());

    // The same pipeline under another name, interrupted in stage 2 after step 3 (checkpoint at 2).
    PipelineSpec other = PipelineSpec.read(pipeline("q", ""));
    assertThrows(IllegalStateException.class, () -> Pipeline.run(other, 1, runs, List.of(),
        () -> List.of(crashAfterFinetuneStep3())));
    Pipeline.Summary resumed = Pipeline.run(other, 1, runs, List.of(), List::of);
    assertTrue(resumed.stages().get(0).skipped());
    assertFalse(resumed.stages().get(1).skipped());
    Path q = runs.resolve("q-s1");
    for (String stage : List.of("pretrain", "finetune")) {
      String ckpt = stage.equals("pretrain") ? "step-00000003" : "step-00000004";
      assertArrayEquals(
          Files.readAllBytes(p.resolve(stage + "/checkpoints/" + ckpt + "/ckpt.data-00000-of-00001")),
          Files.readAllBytes(q.resolve(stage + "/checkpoints/" + ckpt + "/ckpt.data-00000-of-00001")),
          stage + ": interrupted and resumed ends where the straight pipeline ended");
    }
  }


  /** Crashes the second stage (the one with 4 steps) after its step 3. */
  private static TrainingListener crashAfterFinetuneStep3() {
    return new TrainingListener() {
      private long total;

      @Override
      public void onStart(dev.simmatch.config.Config cfg, long start, long steps) {
        total = steps;
      }

      @Override
      public void onStep(long done, double loss, double lr, double ips) {
        if (total == 4 && done == 3) {
          throw new IllegalStateException("simulated crash at step 3 of the fine-tuning stage");
        }
      }
    };
  }

  @Test
  void sharedStageRunsOnceForTwoPipelinesAndRejectsAnotherConfig() throws IOException {
    Path runs = dir.resolve("runs");
    String shared = "";
    Path a = pipeline("a", shared);
    Files.writeString(a, Files.readString(a).replace("  - name: pretrain\n", "  - name: pretrain\n    shared: pre\n"));
    Pipeline.Summary sa = Pipeline.run(PipelineSpec.read(a), 2, runs, List.of(), List::of);
    assertEquals(runs.resolve("shared/pre-s2").toString(), sa.stages().get(0).runDir());
    Path b = dir.resolve("b.yaml");
    Files.writeString(b, Files.readString(a).replace("name: a\n", "name: b\n"));
    Pipeline.Summary sb = Pipeline.run(PipelineSpec.read(b), 2, runs, List.of(), List::of);
    assertTrue(sb.stages().get(0).skipped(), "the shared pre-training is not trained twice");
    assertFalse(sb.stages().get(1).skipped());
    Path c = dir.resolve("c.yaml");
    Files.writeString(c, Files.readString(a).replace("name: a\n", "name: c\n").replace("train.steps: 3", "train.steps: 2"));
    UserInputException e = assertThrows(UserInputException.class,
        () -> Pipeline.run(PipelineSpec.read(c), 2, runs, List.of(), List::of));
    assertTrue(e.getMessage().contains("pre-s2"), e.getMessage());
  }

  @Test
  void committedPipelinesResolveEveryStage() throws IOException {
    try (var files = Files.list(Path.of("configs/pipelines"))) {
      List<Path> pipelines = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
      assertEquals(4, pipelines.size(), pipelines.toString());
      java.util.Set<Object> pretrainings = new java.util.HashSet<>();
      for (Path f : pipelines) {
        PipelineSpec spec = PipelineSpec.read(f);
        java.util.Map<String, Path> dirs = new java.util.LinkedHashMap<>();
        for (PipelineSpec.Stage s : spec.stages()) {
          Path run = dir.resolve(s.name());
          var cfg = Pipeline.stageConfig(spec, s, 3, run, dirs, List.of());
          dirs.put(s.name(), run);
          assertEquals(3, cfg.train().seed());
          assertTrue(s.shared() == null || s.name().equals("pretrain"), f + ": " + s.name());
          if (s.initFrom() != null) {
            assertEquals(dirs.get(s.initFrom()).toString(), cfg.train().initFrom());
          }
          if (s.teacherFrom() != null) {
            assertEquals(dirs.get(s.teacherFrom()).toString(), cfg.algorithm().teacherRun());
          }
          if (s.shared() != null) {
            pretrainings.add(List.of(s.shared(), cfg));
          }
        }
      }
      assertEquals(1, pretrainings.size(),
          "SelfMatch and SimCLRv2 pipelines resolve to one shared pre-training run per seed: " + pretrainings);
    }
  }

  /**
   * SimCLRv2's three stages chain: pre-training with the 3-layer head, fine-tuning from head layer 1
   * (init_from), distillation with the fine-tuned run as teacher (teacher_from); a rerun skips all
   * three, and an interrupted distillation resumes to the same bytes as a straight one.
   */
  @Test
  void simclrv2StagesChainPretrainFinetuneDistillAndResume() throws IOException {
    pipeline("unused", "");
    Files.writeString(dir.resolve("finetune.yaml"), String.join("\n",
        "extends: base.yaml",
        "algorithm: {name: supervised}",
        "data: {strong: simclr, jitter_prob: 0.0, grayscale_prob: 0.0}",
        "model: {head: simclr, proj_layers: 2, ft_proj_selector: 1, bn_momentum: 0.9}",
        "train: {optimizer: lars, lr: 0.05, lr_scaling: sqrt, weight_decay: 0.0, ema: 0.0,"
            + " init_take: 'head:1', init_checkpoint: latest}", ""));
    Files.writeString(dir.resolve("distill.yaml"), String.join("\n",
        "extends: base.yaml",
        "algorithm: {name: distill, teacher_checkpoint: latest}",
        "data: {strong: simclr, jitter_prob: 0.0, grayscale_prob: 0.0}",
        "model: {head: none, bn_momentum: 0.9}",
        "train: {steps: 5, optimizer: lars, lr: 1.0, weight_decay: 1.0e-4, lars_exclude: [bn, bias],"
            + " schedule: warmup-cosine}", ""));
    String stages = String.join("\n",
        "stages:",
        "  - name: pretrain",
        "    config: simclr.yaml",
        "    set: {model.proj_layers: 2, train.steps: 3}",
        "  - name: finetune",
        "    config: finetune.yaml",
        "    init_from: pretrain",
        "  - name: distill",
        "    config: distill.yaml",
        "    teacher_from: finetune", "");
    Path file = dir.resolve("v2.yaml");
    Files.writeString(file, "name: v2\n" + stages);
    Path runs = dir.resolve("runs");
    Pipeline.Summary first = Pipeline.run(PipelineSpec.read(file), 1, runs, List.of(), List::of);
    assertEquals(List.of("simclr", "supervised", "distill"),
        first.stages().stream().map(Pipeline.StageSummary::algorithm).toList());
    Path v2 = runs.resolve("v2-s1");
    String distillCfg = Files.readString(v2.resolve("distill/config.yaml"));
    assertTrue(distillCfg.contains("teacher_run: " + v2.resolve("finetune")), distillCfg);
    assertTrue(Files.readString(v2.resolve("finetune/config.yaml")).contains("init_from: " + v2.resolve("pretrain")));
    assertEquals(5, first.stages().get(2).steps());
    assertTrue(Files.readString(v2.resolve("distill/metrics.csv")).lines().findFirst().orElse("").contains("agreement"));

    Pipeline.Summary again = Pipeline.run(PipelineSpec.read(file), 1, runs, List.of(), List::of);
    assertTrue(again.stages().stream().allMatch(Pipeline.StageSummary::skipped));

    Path other = dir.resolve("w2.yaml");
    Files.writeString(other, "name: w2\n" + stages);
    assertThrows(IllegalStateException.class, () -> Pipeline.run(PipelineSpec.read(other), 1, runs, List.of(),
        () -> List.of(crashAfterStep(5, 3))));
    Pipeline.Summary resumed = Pipeline.run(PipelineSpec.read(other), 1, runs, List.of(), List::of);
    assertTrue(resumed.stages().get(0).skipped() && resumed.stages().get(1).skipped());
    assertFalse(resumed.stages().get(2).skipped());
    String ckpt = "distill/checkpoints/step-00000005/ckpt.data-00000-of-00001";
    assertArrayEquals(Files.readAllBytes(v2.resolve(ckpt)), Files.readAllBytes(runs.resolve("w2-s1").resolve(ckpt)),
        "an interrupted distillation resumes to the straight run's weights");
  }

  /** Crashes the stage that has {@code steps} steps after its step {@code at}. */
  private static TrainingListener crashAfterStep(long steps, long at) {
    return new TrainingListener() {
      private long total;

      @Override
      public void onStart(dev.simmatch.config.Config cfg, long start, long n) {
        total = n;
      }

      @Override
      public void onStep(long done, double loss, double lr, double ips) {
        if (total == steps && done == at) {
          throw new IllegalStateException("simulated crash at step " + at);
        }
      }
    };
  }

  @Test
  void badPipelineFilesNameTheProblem() throws IOException {
    Path f = dir.resolve("bad.yaml");
    Files.writeString(f, "name: x\nstages:\n  - name: a\n    config: base.yaml\n    init_from: b\n");
    UserInputException e = assertThrows(UserInputException.class, () -> PipelineSpec.read(f));
    assertTrue(e.getMessage().contains("stage 'a'") && e.getMessage().contains("init_from 'b'"), e.getMessage());
    Files.writeString(f, "name: x\nstages:\n  - name: a\n    config: base.yaml\n    sett: {}\n");
    assertThrows(UserInputException.class, () -> PipelineSpec.read(f));
    assertThrows(UserInputException.class, () -> PipelineSpec.read(dir.resolve("missing.yaml")));
  }
}

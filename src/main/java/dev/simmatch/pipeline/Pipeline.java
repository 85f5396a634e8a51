package dev.simmatch.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.simmatch.UserInputException;
import dev.simmatch.config.Config;
import dev.simmatch.config.ConfigLoader;
import dev.simmatch.train.MetricsCsv;
import dev.simmatch.train.TrainResult;
import dev.simmatch.train.Trainer;
import dev.simmatch.train.TrainingListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link PipelineSpec} for one seed. The pipeline directory is {@code
 * RUNS/<name>-s<seed>}; stage s trains into {@code <pipeline dir>/<s>} (a shared stage into
 * {@code RUNS/shared/<shared>-s<seed>}, guarded by a file lock so that two pipelines never train
 * it at once). Every stage runs with {@code --resume} semantics: a finished stage (result.json at
 * its last step) is skipped, an interrupted one continues from its latest checkpoint exactly, and
 * a new one starts at step 0, initialised from its {@code init_from} stage and taught by its
 * {@code teacher_from} stage. Seed S sets train.seed
 * and data.seed of every stage. At the end {@code summary.json} and {@code summary.md} describe
 * every stage.
 */
public final class Pipeline {
  private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Pipeline() {}

  /** One stage's outcome. {@code knnTop1} is the last k-NN monitor value, NaN if the run has none. */
  public record StageSummary(
      String stage, String algorithm, String runDir, boolean skipped, long steps, double bestTop1Ema,
      double finalTop1Ema, double finalTop1Raw, double knnTop1, double imagesPerSecond, double wallSeconds) {}

  /** The outcome of the whole pipeline. */
  public record Summary(String pipeline, long seed, String dir, List<StageSummary> stages) {
    /** A Markdown table of the stages. */
    public String table() {
      StringBuilder sb = new StringBuilder();
      sb.append(String.format(Locale.ROOT, "pipeline %s, seed %d (%s)%n%n", pipeline, seed, dir));
      sb.append("| stage | algorithm | steps | best top-1 EMA | final top-1 EMA | final top-1 raw | k-NN top-1 |"
          + " img/s | wall (last session) | run |\n");
      sb.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
      for (StageSummary s : stages) {
        sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %.2f | %.2f | %.2f | %s | %.0f | %.0f s%s | %s |%n",
            s.stage(), s.algorithm(), s.steps(), s.bestTop1Ema(), s.finalTop1Ema(), s.finalTop1Raw(),
            Double.isNaN(s.knnTop1()) ? "-" : String.format(Locale.ROOT, "%.2f", s.knnTop1()), s.imagesPerSecond(),
            s.wallSeconds(), s.skipped() ? " (skipped: already done)" : "", s.runDir()));
      }
      return sb.toString();
    }
  }

  /**
   * @param runs root of pipeline directories (e.g. runs/pipelines)
   * @param extraSets --set overrides applied to every stage, after the stage's own
   * @param listeners a fresh set of listeners per stage (progress output)
   */
  public static Summary run(
      PipelineSpec spec, long seed, Path runs, List<String> extraSets, Supplier<List<TrainingListener>> listeners) {
    Path dir = runs.resolve(spec.name() + "-s" + seed);
    Map<String, Path> stageDirs = new LinkedHashMap<>();
    List<StageSummary> done = new ArrayList<>();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create pipeline directory " + dir, e);
    }
    for (PipelineSpec.Stage stage : spec.stages()) {
      Path runDir = stage.shared() != null
          ? runs.resolve("shared").resolve(stage.shared() + "-s" + seed)
          : dir.resolve(stage.name());
      stageDirs.put(stage.name(), runDir);
      Config cfg = stageConfig(spec, stage, seed, runDir, stageDirs, extraSets);
      LOG.info("pipeline {} seed {}: stage {} ({}) in {}", spec.name(), seed, stage.name(), cfg.algorithm().name(), runDir);
      done.add(stage.shared() != null ? runLocked(stage, cfg, runDir, listeners) : runStage(stage, cfg, runDir, listeners));
    }
    Summary summary = new Summary(spec.name(), seed, dir.toString(), done);
    write(dir.resolve("summary.json"), json(summary));
    write(dir.resolve("summary.md"), summary.table());
    return summary;
  }

  /** The resolved config of a stage: its file, its overrides, the pipeline's, the run's place. */
  static Config stageConfig(
      PipelineSpec spec, PipelineSpec.Stage stage, long seed, Path runDir, Map<String, Path> stageDirs,
      List<String> extraSets) {
    List<String> sets = new ArrayList<>();
    stage.set().forEach((k, v) -> sets.add(k + "=" + json(v)));
    sets.add("train.seed=" + seed);
    sets.add("data.seed=" + seed);
    sets.add("name=" + json(runDir.getFileName().toString()));
    sets.add("train.runs_dir=" + json(runDir.getParent().toString()));
    if (stage.initFrom() != null) {
      sets.add("train.init_from=" + json(stageDirs.get(stage.initFrom()).toString()));
    }
    if (stage.teacherFrom() != null) {
      sets.add("algorithm.teacher_run=" + json(stageDirs.get(stage.teacherFrom()).toString()));
    }
    sets.addAll(extraSets);
    Path file = spec.file().toAbsolutePath().getParent().resolve(stage.config()).normalize();
    try {
      return ConfigLoader.load(file, sets);
    } catch (UserInputException e) {
      throw new UserInputException("pipeline " + spec.file() + ", stage '" + stage.name() + "': " + e.getMessage(), e);
    }
  }

  private static StageSummary runLocked(
      PipelineSpec.Stage stage, Config cfg, Path runDir, Supplier<List<TrainingListener>> listeners) {
    Path lock = runDir.resolveSibling(runDir.getFileName() + ".lock");
    try {
      Files.createDirectories(runDir.getParent());
      try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock held = ch.lock()) {
        Path configFile = runDir.resolve("config.yaml");
        // Compared as loaded configs: keys added since (with their defaults) do not count as a change.
        if (Files.isRegularFile(configFile) && !ConfigLoader.load(configFile, List.of()).equals(cfg)) {
          throw new UserInputException("shared stage '" + stage.shared() + "': " + runDir
              + " was trained with another config than this pipeline's stage '" + stage.name()
              + "' resolves to; give the stage another 'shared' name");
        }
        return runStage(stage, cfg, runDir, listeners);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot lock " + lock, e);
    }
  }

  private static StageSummary runStage(
      PipelineSpec.Stage stage, Config cfg, Path runDir, Supplier<List<TrainingListener>> listeners) {
    boolean finished = finished(runDir, cfg.train().steps());
    TrainResult r;
    if (finished) {
      LOG.info("stage {}: finished earlier, skipped", stage.name());
      r = readResult(runDir);
    } else {
      Trainer t = new Trainer(cfg, runDir, true);
      listeners.get().forEach(t::listen);
      r = t.run();
    }
    List<Map<String, Double>> rows = MetricsCsv.read(runDir, Long.MAX_VALUE);
    double knn = rows.isEmpty() ? Double.NaN : rows.get(rows.size() - 1).getOrDefault("knn_top1", Double.NaN);
    return new StageSummary(stage.name(), r.algorithm(), runDir.toString(), finished, r.steps(), r.bestTop1Ema(),
        r.finalTop1Ema(), r.finalTop1Raw(), knn, r.imagesPerSecond(), r.wallSeconds());
  }

  private static boolean finished(Path runDir, long steps) {
    return Files.isRegularFile(runDir.resolve("result.json")) && readResult(runDir).steps() >= steps;
  }

  private static TrainResult readResult(Path runDir) {
    try {
      return JSON.readValue(runDir.resolve("result.json").toFile(), TrainResult.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + runDir.resolve("result.json"), e);
    }
  }

  private static String json(Object v) {
    try {
      return JSON.writeValueAsString(v);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void write(Path file, String text) {
    try {
      Path tmp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp");
      Files.writeString(tmp, text);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}

package dev.simmatch.cli;

import dev.simmatch.UserInputException;
import dev.simmatch.pipeline.Pipeline;
import dev.simmatch.pipeline.PipelineSpec;
import dev.simmatch.train.ProgressListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code simmatch pipeline --config configs/pipelines/NAME.yaml [--seed S] [--runs-dir DIR] [--set k=v]...}. */
@Command(
    name = "pipeline",
    mixinStandardHelpOptions = true,
    description = "Run the stages of a pipeline file in order (resumable: finished stages are skipped).")
public final class PipelineCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--config", required = true, paramLabel = "FILE", description = "Pipeline YAML (configs/pipelines/).")
  Path config;

  @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "train.seed and data.seed of every stage (default 1).")
  long seed;

  @Option(names = "--runs-dir", defaultValue = "runs/pipelines", paramLabel = "DIR",
      description = "Pipeline directories go under DIR/<name>-s<seed> (default runs/pipelines).")
  Path runs;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a config key in every stage.")
  List<String> overrides = new ArrayList<>();

  /** The summary of the last call, for in-process callers. */
  Pipeline.Summary summary;

  @Override
  public Integer call() {
    if (seed < 0) {
      throw new UserInputException("--seed must be >= 0, got " + seed);
    }
    summary = Pipeline.run(PipelineSpec.read(config), seed, runs, overrides, () -> List.of(new ProgressListener()));
    spec.commandLine().getOut().print(summary.table());
    spec.commandLine().getOut().flush();
    return 0;
  }
}

package dev.simmatch.pipeline;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.simmatch.UserInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A pipeline file ({@code configs/pipelines/NAME.yaml}): stages run in order, each a training
 * config file plus overrides, optionally initialised from an earlier stage's run.
 *
 * <pre>
 * name: selfmatch-fashion-mnist-40
 * stages:
 *   - name: pretrain
 *     config: ../simclr/fashion-mnist.yaml   # relative to this file; may itself extend others
 *     shared: simclr-fashion-mnist-5ep       # optional: one run for every pipeline naming it
 *     set: {train.steps: 1172}               # overrides, as --set key=value
 *   - name: finetune
 *     config: ../fixmatch/fashion-mnist-40.yaml
 *     init_from: pretrain                    # sets train.init_from to that stage's run
 *     set: {train.init_take: encoder}
 *   - name: distill
 *     config: ../distill/fashion-mnist.yaml
 *     teacher_from: finetune                 # sets algorithm.teacher_run to that stage's run
 * </pre>
 *
 * @param file where it was read from (configs resolve relative to it)
 */
public record PipelineSpec(Path file, String name, List<Stage> stages) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /**
   * One stage.
   *
   * @param config training config file, relative to the pipeline file
   * @param set overrides of that config ({@code key: value}, dotted keys)
   * @param initFrom name of an earlier stage whose run initialises this one, or null
   * @param shared name of a run shared by every pipeline that names it (a stage whose resolved
   *     config does not depend on the pipeline, such as label-free pre-training), or null
   * @param teacherFrom name of an earlier stage whose run is this stage's distillation teacher, or
   *     null
   */
  public record Stage(
      String name, String config, Map<String, Object> set, String initFrom, String shared, String teacherFrom) {
    public Map<String, Object> set() {
      return set == null ? Map.of() : set;
    }
  }

  private record Raw(String name, List<Stage> stages) {}

  /** Reads and checks a pipeline file; every error names the file and the stage. */
  public static PipelineSpec read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new UserInputException("pipeline file " + file + " does not exist");
    }
    Raw raw;
    try {
      raw = YAML.readValue(file.toFile(), Raw.class);
    } catch (IOException e) {
      throw new UserInputException("pipeline " + file + ": " + e.getMessage().lines().findFirst().orElse(""), e);
    }
    if (raw == null || raw.name() == null || !NAME.matcher(raw.name()).matches()) {
      throw new UserInputException("pipeline " + file + ": 'name' must be a plain name (letters, digits, . _ -)");
    }
    if (raw.stages() == null || raw.stages().isEmpty()) {
      throw new UserInputException("pipeline " + file + ": 'stages' must list at least one stage");
    }
    Set<String> seen = new HashSet<>();
    Map<String, Stage> byName = new LinkedHashMap<>();
    for (Stage s : raw.stages()) {
      String where = "pipeline " + file + ", stage '" + s.name() + "'";
      if (s.name() == null || !NAME.matcher(s.name()).matches() || s.name().equals("shared")) {
        throw new UserInputException("pipeline " + file + ": every stage needs a plain 'name' (not 'shared'), got '"
            + s.name() + "'");
      }
      if (!seen.add(s.name())) {
        throw new UserInputException("pipeline " + file + ": two stages are named '" + s.name() + "'");
      }
      if (s.config() == null) {
        throw new UserInputException(where + ": 'config' (a training config file) is missing");
      }
      if (s.initFrom() != null && !byName.containsKey(s.initFrom())) {
        throw new UserInputException(where + ": init_from '" + s.initFrom() + "' is not an earlier stage");
      }
      if (s.teacherFrom() != null && !byName.containsKey(s.teacherFrom())) {
        throw new UserInputException(where + ": teacher_from '" + s.teacherFrom() + "' is not an earlier stage");
      }
      if (s.shared() != null
          && (!NAME.matcher(s.shared()).matches() || s.initFrom() != null || s.teacherFrom() != null)) {
        throw new UserInputException(where + ": 'shared' must be a plain name, and a shared stage cannot init_from"
            + " another stage or take its teacher_from one");
      }
      byName.put(s.name(), s);
    }
    return new PipelineSpec(file, raw.name(), List.copyOf(raw.stages()));
  }
}

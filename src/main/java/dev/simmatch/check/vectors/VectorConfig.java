package dev.simmatch.check.vectors;

import com.fasterxml.jackson.databind.JsonNode;
import dev.simmatch.UserInputException;
import dev.simmatch.config.Config;
import dev.simmatch.config.ConfigLoader;
import dev.simmatch.io.VectorFile;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns a vector file's {@code config} into a {@link Config}: the defaults with {@code algorithm.*}
 * overrides, validated by the same loader as a user's {@code --set}.
 */
final class VectorConfig {
  private VectorConfig() {}

  /**
   * @param algorithm value of algorithm.name
   * @param renames vector config key -> algorithm key, for keys whose names differ; keys mapped to
   *     null are read by the caller and skipped here
   * @param extra further algorithm key -> value overrides
   */
  static Config load(
      VectorFile file, String algorithm, Map<String, String> renames, Map<String, String> extra) {
    return load(file, algorithm, renames, extra, Map.of());
  }

  /**
   * As above, plus overrides of other sections given with their full key (e.g. {@code train.steps}).
   */
  static Config load(
      VectorFile file,
      String algorithm,
      Map<String, String> renames,
      Map<String, String> extra,
      Map<String, String> fullKeys) {
    List<String> sets = new ArrayList<>();
    sets.add("algorithm.name=" + algorithm);
    for (String key : file.configNames()) {
      String target = renames.containsKey(key) ? renames.get(key) : key;
      JsonNode value = file.config(key);
      if (target == null || value == null || value.isNull()) {
        continue;
      }
      sets.add("algorithm." + target + "=" + scalar(file, key, value));
    }
    extra.forEach((k, v) -> sets.add("algorithm." + k + "=" + v));
    fullKeys.forEach((k, v) -> sets.add(k + "=" + v));
    try {
      return ConfigLoader.load(null, sets);
    } catch (UserInputException e) {
      throw new UserInputException("vector file " + file.path() + ": config: " + e.getMessage(), e);
    }
  }

  private static String scalar(VectorFile file, String key, JsonNode value) {
    if (value.isNumber()) {
      // Plain decimal: YAML 1.1 reads "1e-06" as a string.
      return new BigDecimal(value.asText()).toPlainString();
    }
    if (value.isBoolean() || value.isTextual()) {
      return value.asText();
    }
    throw new UserInputException(
        "vector file "
            + file.path()
            + ": key 'config."
            + key
            + "': expected a number, string or boolean");
  }
}

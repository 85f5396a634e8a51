package dev.simmatch.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.simmatch.UserInputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Loads a {@link Config} with one precedence: built-in defaults &lt; base files (named by
 * {@code extends:}, resolved relative to the file) &lt; the file &lt; {@code --set key=value}.
 *
 * <p>Each layer is checked on its own against the defaults, so an unknown key or a value of the
 * wrong type is reported with the file (or the --set argument) that introduced it.
 */
public final class ConfigLoader {
  private static final String EXTENDS = "extends";
  private static final ObjectMapper YAML =
      new ObjectMapper(
              new YAMLFactory()
                  .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                  .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          // a key given twice is a mistake, not "the last one wins"
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private ConfigLoader() {}

  /** A layer of settings and where it came from (a file path or "--set k=v"). */
  private record Layer(ObjectNode tree, String origin) {}

  /** Defaults only. */
  public static Config defaults() {
    return load(null, List.of());
  }

  /**
   * @param file a YAML config file, or null for the defaults
   * @param overrides {@code a.b=value} strings; values are parsed as YAML scalars or lists
   */
  public static Config load(Path file, List<String> overrides) {
    ObjectNode defaults = readDefaults();
    List<Layer> layers = new ArrayList<>();
    if (file != null) {
      collectFileLayers(file.toAbsolutePath().normalize(), layers, new ArrayList<>());
    }
    for (String override : overrides) {
      layers.add(new Layer(parseOverride(override), "--set " + override));
    }
    ObjectNode merged = defaults.deepCopy();
    for (Layer layer : layers) {
      checkKeys(defaults, layer.tree(), "", layer.origin());
      ObjectNode alone = defaults.deepCopy();
      merge(alone, layer.tree());
      convert(alone, layer.origin());
      merge(merged, layer.tree());
    }
    String origin = file == null ? "defaults" : file.toString();
    if (!overrides.isEmpty()) {
      origin = origin + " with " + overrides.stream().map(o -> "--set " + o).collect(Collectors.joining(" "));
    }
    Config config = convert(merged, origin);
    ConfigChecks.check(config, origin);
    return config;
  }

  /** The config as YAML, as written into the run directory. */
  public static String toYaml(Config config) {
    try {
      return YAML.writeValueAsString(config);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise config", e);
    }
  }

  private static void collectFileLayers(Path file, List<Layer> out, List<Path> chain) {
    if (chain.contains(file)) {
      throw new UserInputException("config " + file + ": circular 'extends' chain " + chain);
    }
    if (!Files.isRegularFile(file)) {
      throw new UserInputException(
          "config file " + file + " does not exist"
              + (chain.isEmpty() ? "" : " (named by 'extends' in " + chain.get(chain.size() - 1) + ")"));
    }
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new UserInputException("cannot read config file " + file + ": " + e.getMessage(), e);
    }
    ObjectNode tree = readTree(text, file.toString());
    JsonNode base = tree.remove(EXTENDS);
    if (base != null) {
      if (!base.isTextual()) {
        throw new UserInputException("config " + file + ": 'extends' must be a file path");
      }
      chain.add(file);
      collectFileLayers(file.getParent().resolve(base.asText()).normalize(), out, chain);
      chain.remove(chain.size() - 1);
    }
    out.add(new Layer(tree, file.toString()));
  }

  private static ObjectNode readTree(String text, String origin) {
    try {
      JsonNode node = YAML.readTree(text);
      if (node == null || node.isMissingNode() || node.isNull()) {
        return JsonNodeFactory.instance.objectNode();
      }
      if (!node.isObject()) {
        throw new UserInputException(
            "config " + origin + ": expected a mapping of keys at the top (line 1), got a " + node.getNodeType()
                .toString().toLowerCase(java.util.Locale.ROOT));
      }
      return (ObjectNode) node;
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where = at == null || at.getLineNr() < 1 ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
      throw new UserInputException(
          "config " + origin + ": not valid YAML" + where + ": " + e.getOriginalMessage(), e);
    }
  }

  private static ObjectNode readDefaults() {
    try (InputStream in = ConfigLoader.class.getResourceAsStream("/defaults.yaml")) {
      return (ObjectNode) YAML.readTree(in);
    } catch (IOException e) {
      throw new IllegalStateException("defaults.yaml missing from the classpath", e);
    }
  }

  private static ObjectNode parseOverride(String override) {
    int eq = override.indexOf('=');
    if (eq <= 0) {
      throw new UserInputException("--set " + override + ": expected key=value, e.g. train.steps=100");
    }
    String[] path = override.substring(0, eq).trim().split("\\.");
    JsonNode value;
    try {
      value = YAML.readTree(override.substring(eq + 1));
    } catch (JsonProcessingException e) {
      throw new UserInputException("--set " + override + ": value is not valid YAML", e);
    }
    if (value == null || value.isMissingNode()) {
      value = JsonNodeFactory.instance.nullNode();
    }
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    ObjectNode node = root;
    for (int i = 0; i < path.length - 1; i++) {
      node = node.putObject(path[i]);
    }
    node.set(path[path.length - 1], value);
    return root;
  }

  /** Every key of {@code layer} must exist in {@code schema}; mappings must stay mappings. */
  private static void checkKeys(ObjectNode schema, ObjectNode layer, String prefix, String origin) {
    Iterator<Map.Entry<String, JsonNode>> fields = layer.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      String key = prefix + field.getKey();
      JsonNode known = schema.get(field.getKey());
      if (known == null) {
        String choices = iterable(schema.fieldNames()).stream().collect(Collectors.joining(", "));
        throw new UserInputException(
            "config " + origin + ": unknown key '" + key + "'"
                + (prefix.isEmpty() ? "" : " (keys under '" + prefix.substring(0, prefix.length() - 1) + "': " + choices + ")")
                + (prefix.isEmpty() ? " (top-level keys: " + choices + ")" : ""));
      }
      if (known.isObject()) {
        if (!field.getValue().isObject()) {
          throw new UserInputException(
              "config " + origin + ": key '" + key + "' must be a mapping of keys, got " + field.getValue());
        }
        checkKeys((ObjectNode) known, (ObjectNode) field.getValue(), key + ".", origin);
      }
    }
  }

  private static List<String> iterable(Iterator<String> it) {
    List<String> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }

  private static void merge(ObjectNode into, ObjectNode from) {
    Iterator<Map.Entry<String, JsonNode>> fields = from.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      JsonNode current = into.get(field.getKey());
      if (current != null && current.isObject() && field.getValue().isObject()) {
        merge((ObjectNode) current, (ObjectNode) field.getValue());
      } else {
        into.set(field.getKey(), field.getValue().deepCopy());
      }
    }
  }

  private static Config convert(ObjectNode tree, String origin) {
    try {
      return YAML.treeToValue(tree, Config.class);
    } catch (MismatchedInputException e) {
      String key =
          e.getPath().stream()
              .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
              .collect(Collectors.joining("."));
      throw new UserInputException(
          "config " + origin + ": key '" + key + "' has the wrong type (expected "
              + (e.getTargetType() == null ? "another type" : e.getTargetType().getSimpleName())
              + "): " + e.getOriginalMessage(), e);
    } catch (JsonProcessingException e) {
      throw new UserInputException(
          "config " + origin + ": " + blame(tree) + "has a value that cannot be read: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * The key whose value alone makes the config unreadable ("key 'train.seed' "), for errors that
   * Jackson reports without a path (a number out of range of its type), or "" if none alone does.
   */
  private static String blame(ObjectNode tree) {
    ObjectNode defaults = readDefaults();
    List<String> keys = new ArrayList<>();
    leafKeys(tree, "", keys);
    for (String key : keys) {
      ObjectNode single = defaults.deepCopy();
      String[] path = key.split("\\.");
      ObjectNode from = tree;
      ObjectNode into = single;
      for (int i = 0; i < path.length - 1; i++) {
        from = (ObjectNode) from.get(path[i]);
        into = into.get(path[i]) instanceof ObjectNode o ? o : into.putObject(path[i]);
      }
      into.set(path[path.length - 1], from.get(path[path.length - 1]));
      try {
        YAML.treeToValue(single, Config.class);
      } catch (JsonProcessingException | IllegalArgumentException e) {
        return "key '" + key + "' ";
      }
    }
    return "";
  }

  private static void leafKeys(ObjectNode node, String prefix, List<String> out) {
    Iterator<Map.Entry<String, JsonNode>> it = node.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getValue() instanceof ObjectNode o) {
        leafKeys(o, prefix + e.getKey() + ".", out);
      } else {
        out.add(prefix + e.getKey());
      }
    }
  }
}

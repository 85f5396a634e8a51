package dev.simmatch.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.simmatch.UserInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * One reference-vector JSON file ({@code algorithm}, {@code seed}, {@code dims}, {@code config},
 * {@code inputs}, {@code outputs}; matrices as lists of rows), with typed, shape-checked access.
 * Every error names the file and the key at fault.
 */
public final class VectorFile {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * A dense array read from nested JSON lists: row-major values and their shape (empty for a
   * scalar).
   */
  public record Nd(long[] shape, double[] values) {
    public float[] floats() {
      float[] out = new float[values.length];
      for (int i = 0; i < values.length; i++) {
        out[i] = (float) values[i];
      }
      return out;
    }

    public int[] ints() {
      int[] out = new int[values.length];
      for (int i = 0; i < values.length; i++) {
        out[i] = (int) values[i];
      }
      return out;
    }

    public String shapeString() {
      return Arrays.toString(shape);
    }
  }

  private final Path path;
  private final JsonNode root;

  private VectorFile(Path path, JsonNode root) {
    this.path = path;
    this.root = root;
  }

  /** Reads and parses a file. */
  public static VectorFile read(Path path) {
    String text;
    try {
      text = Files.readString(path);
    } catch (IOException e) {
      throw new UserInputException("cannot read vector file " + path + ": " + e.getMessage(), e);
    }
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new UserInputException(
          "vector file " + path + ": not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new UserInputException("vector file " + path + ": expected a JSON object at the top");
    }
    return new VectorFile(path, root);
  }

  public Path path() {
    return path;
  }

  /** The {@code algorithm} field. */
  public String algorithm() {
    JsonNode n = root.get("algorithm");
    if (n == null || !n.isTextual()) {
      throw error("algorithm", "a string naming the algorithm");
    }
    return n.asText();
  }

  /** A required non-negative integer under {@code dims}. */
  public int dim(String name) {
    JsonNode n = section("dims").get(name);
    if (n == null || !n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() < 0) {
      throw error("dims." + name, "a non-negative integer");
    }
    return n.asInt();
  }

  /** A required top-level boolean (e.g. {@code start_unlabel}). */
  public boolean flag(String name) {
    JsonNode n = root.get(name);
    if (n == null || !n.isBoolean()) {
      throw error(name, "true or false");
    }
    return n.asBoolean();
  }

  /** Names of the {@code config} entries. */
  public List<String> configNames() {
    return names(section("config"));
  }

  /** A {@code config} entry (null if absent; a JSON null node if null in the file). */
  public JsonNode config(String name) {
    return section("config").get(name);
  }

  /** A required {@code config} array of numbers, checked against the expected shape. */
  public Nd configArray(String name, long... shape) {
    return toNd("config." + name, section("config").get(name), shape);
  }

  /** Names of the {@code outputs} entries. */
  public List<String> outputNames() {
    return names(section("outputs"));
  }

  /**
   * A required input.
   *
   * @param shape expected shape; -1 accepts any size on that axis
   */
  public Nd input(String name, long... shape) {
    return toNd("inputs." + name, section("inputs").get(name), shape);
  }

  /** A required integer input with every value in [min, limit). */
  public Nd inputInts(String name, int min, int limit, long... shape) {
    Nd nd = input(name, shape);
    for (double v : nd.values()) {
      if (v != Math.rint(v) || v < min || v >= limit) {
        throw new UserInputException(
            "vector file "
                + path
                + ": inputs."
                + name
                + " holds "
                + v
                + ", expected integers in ["
                + min
                + ","
                + limit
                + ")");
      }
    }
    return nd;
  }

  /** An optional input: null when absent or JSON null. */
  public Nd inputOrNull(String name, long... shape) {
    JsonNode n = section("inputs").get(name);
    return n == null || n.isNull() ? null : toNd("inputs." + name, n, shape);
  }

  /** A required output, checked against the expected shape (-1: any size; null: any shape). */
  public Nd output(String name, long... shape) {
    return toNd("outputs." + name, section("outputs").get(name), shape);
  }

  /**
   * A number or nested lists reached from the top by object keys and list indices, e.g. {@code
   * at("outputs", "after_step", "0", "params", "conv/kernel")}.
   */
  public Nd at(String... path) {
    return toNd(String.join(".", path), node(path), (long[]) null);
  }

  /** The keys of the object reached by {@code path} (see {@link #at}), in file order. */
  public List<String> keysAt(String... path) {
    JsonNode n = node(path);
    if (!n.isObject()) {
      throw error(String.join(".", path), "an object");
    }
    return names(n);
  }

  private JsonNode node(String... path) {
    JsonNode n = root;
    for (int i = 0; i < path.length; i++) {
      String key = path[i];
      n = n.isArray() && key.matches("\\d+") ? n.get(Integer.parseInt(key)) : n.get(key);
      if (n == null || n.isNull()) {
        throw error(String.join(".", java.util.Arrays.copyOf(path, i + 1)), "a value");
      }
    }
    return n;
  }

  /** The raw shape of an output as stored. */
  public long[] outputShape(String name) {
    return toNd("outputs." + name, section("outputs").get(name), (long[]) null).shape();
  }

  private JsonNode section(String name) {
    JsonNode n = root.get(name);
    if (n == null || !n.isObject()) {
      throw error(name, "an object");
    }
    return n;
  }

  private static List<String> names(JsonNode object) {
    List<String> out = new ArrayList<>();
    Iterator<String> it = object.fieldNames();
    it.forEachRemaining(out::add);
    return out;
  }

  private Nd toNd(String key, JsonNode n, long[] expected) {
    if (n == null || n.isNull()) {
      throw error(
          key,
          expected == null
              ? "a number or nested lists"
              : "an array of shape " + Arrays.toString(expected));
    }
    List<Long> shape = new ArrayList<>();
    for (JsonNode cur = n; cur.isArray(); cur = cur.size() == 0 ? JSON.nullNode() : cur.get(0)) {
      shape.add((long) cur.size());
    }
    long[] dims = shape.stream().mapToLong(Long::longValue).toArray();
    long count = 1;
    for (long d : dims) {
      count *= d;
    }
    double[] values = new double[Math.toIntExact(count)];
    int[] next = {0};
    flatten(key, n, 0, dims, values, next);
    if (expected != null) {
      boolean ok = expected.length == dims.length;
      for (int i = 0; ok && i < dims.length; i++) {
        ok = expected[i] < 0 || expected[i] == dims[i];
      }
      if (!ok) {
        throw new UserInputException(
            "vector file "
                + path
                + ": "
                + key
                + " has shape "
                + Arrays.toString(dims)
                + ", expected "
                + Arrays.toString(expected));
      }
    }
    return new Nd(dims, values);
  }

  private void flatten(String key, JsonNode n, int axis, long[] dims, double[] out, int[] next) {
    if (axis == dims.length) {
      if (!n.isNumber()) {
        throw error(key, "numbers only, found " + n);
      }
      out[next[0]++] = n.asDouble();
      return;
    }
    if (!n.isArray() || n.size() != dims[axis]) {
      throw error(key, "a rectangular array of shape " + Arrays.toString(dims));
    }
    for (JsonNode child : n) {
      flatten(key, child, axis + 1, dims, out, next);
    }
  }

  private UserInputException error(String key, String expected) {
    return new UserInputException(
        "vector file " + path + ": key '" + key + "': expected " + expected);
  }
}

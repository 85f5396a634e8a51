package dev.simmatch.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.simmatch.UserInputException;
import dev.simmatch.config.Config;
import dev.simmatch.io.Durable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * The labeled subset of a training set: a class-balanced choice of numLabels/numClasses images
 * per class, drawn by a seed (the protocol of FixMatch and SimMatch). The unlabeled set is the
 * whole training set, these images included.
 *
 * <p>JSON form (written by {@code data split} and into run directories): {@code dataset},
 * {@code labels}, {@code seed}, {@code num_classes}, {@code per_class_counts} and the sorted
 * {@code indices} into the training set.
 *
 * <p>Arrays are compared by reference in the record's equals; compare {@link #labeled()} with
 * Arrays.equals.
 *
 * @param dataset dataset name (e.g. fashion-mnist), or null when unknown
 * @param seed seed the split was drawn with
 * @param labeled indices into the training set, ascending; position i is memory-bank row i
 * @param perClassCounts number of labeled images of each class
 */
public record LabeledSplit(String dataset, long seed, int[] labeled, int[] perClassCounts) {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** {@link #create(String, int[], int, int, long)} without a dataset name. */
  public static LabeledSplit create(int[] labels, int numClasses, int numLabels, long seed) {
    return create(null, labels, numClasses, numLabels, seed);
  }

  /**
   * Draws numLabels/numClasses images of each class: per class, in class order, a partial
   * Fisher-Yates shuffle of that class's indices with one java.util.Random(seed) (stable across
   * JVMs). Labels of -1 (unknown) are never chosen.
   */
  public static LabeledSplit create(String dataset, int[] labels, int numClasses, int numLabels, long seed) {
    if (numLabels <= 0) {
      throw new UserInputException("data.labels is " + numLabels + ", expected a positive number of labeled images");
    }
    if (numLabels % numClasses != 0) {
      throw new UserInputException(
          "data.labels is " + numLabels + ", not divisible by the " + numClasses + " classes"
              + (dataset == null ? "" : " of " + dataset) + ": the labeled set takes the same number from each class");
    }
    int perClass = numLabels / numClasses;
    int[][] byClass = indicesByClass(labels, numClasses);
    Random rng = new Random(seed);
    int[] chosen = new int[numLabels];
    int n = 0;
    for (int c = 0; c < numClasses; c++) {
      int[] pool = byClass[c];
      if (pool.length < perClass) {
        throw new UserInputException(
            "data.labels is " + numLabels + " (" + perClass + " per class) but class " + c
                + (dataset == null ? "" : " of " + dataset) + " has only " + pool.length + " training images");
      }
      for (int i = 0; i < perClass; i++) {
        int j = i + rng.nextInt(pool.length - i);
        int tmp = pool[i];
        pool[i] = pool[j];
        pool[j] = tmp;
        chosen[n++] = pool[i];
      }
    }
    Arrays.sort(chosen);
    int[] counts = new int[numClasses];
    Arrays.fill(counts, perClass);
    return new LabeledSplit(dataset, seed, chosen, counts);
  }

  /** The split file data.split_file if set (validated against train), else a new split by data.labels/seed. */
  public static LabeledSplit forConfig(Config.Data data, Dataset train) {
    if (data.splitFile() != null && !data.splitFile().isBlank()) {
      return read(Path.of(data.splitFile()), train);
    }
    return create(data.dataset(), train.labels(), train.numClasses(), data.labels(), data.seed());
  }

  /** Number of labeled images. */
  public int size() {
    return labeled.length;
  }

  /** Writes the JSON form through a temporary file renamed onto {@code file}. */
  public void write(Path file) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("dataset", dataset);
    json.put("labels", labeled.length);
    json.put("seed", seed);
    json.put("num_classes", perClassCounts.length);
    json.put("per_class_counts", perClassCounts);
    json.put("indices", labeled);
    Path abs = file.toAbsolutePath();
    Path tmp = null;
    try {
      Files.createDirectories(abs.getParent());
      tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName() + ".", ".tmp");
      Files.writeString(tmp, JSON.writeValueAsString(json) + "\n");
      Durable.publish(tmp, abs);
      tmp = null;
    } catch (IOException e) {
      throw new UserInputException("cannot write split file " + file + ": " + e.getMessage(), e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // the write already failed; that error is the one to report
        }
      }
    }
  }

  /**
   * Reads a split file and checks it against the training set: same dataset name, indices in
   * range, distinct and labeled, and per-class counts that match the training labels.
   */
  public static LabeledSplit read(Path file, Dataset train) {
    JsonNode root;
    try {
      root = JSON.readTree(Files.readAllBytes(file));
    } catch (JsonProcessingException e) {
      throw new UserInputException("split file " + file + " is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new UserInputException("cannot read split file " + file + ": " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new UserInputException("split file " + file + ": expected a JSON object with 'indices'");
    }
    String base = train.name().contains("/") ? train.name().substring(0, train.name().indexOf('/')) : train.name();
    JsonNode ds = root.get("dataset");
    String dataset = ds == null || ds.isNull() ? null : ds.asText();
    if (dataset != null && !dataset.equals(base)) {
      throw new UserInputException(
          "split file " + file + " was made for dataset '" + dataset + "', but the training set is '" + base + "'");
    }
    int[] indices = intArray(file, root, "indices", true);
    int numClasses = train.numClasses();
    int[] counts = new int[numClasses];
    boolean[] seen = new boolean[train.size()];
    for (int i = 0; i < indices.length; i++) {
      int idx = indices[i];
      if (idx < 0 || idx >= train.size()) {
        throw new UserInputException(
            "split file " + file + ": indices[" + i + "] = " + idx + ", expected 0.." + (train.size() - 1) + " ("
                + train.size() + " training images in " + train.name() + ")");
      }
      if (seen[idx]) {
        throw new UserInputException("split file " + file + ": index " + idx + " appears twice");
      }
      seen[idx] = true;
      int label = train.labels()[idx];
      if (label < 0) {
        throw new UserInputException("split file " + file + ": training image " + idx + " has no label");
      }
      counts[label]++;
    }
    if (indices.length == 0) {
      throw new UserInputException("split file " + file + ": 'indices' is empty");
    }
    JsonNode labels = root.get("labels");
    if (labels != null && (!labels.canConvertToInt() || labels.asInt() != indices.length)) {
      throw new UserInputException(
          "split file " + file + ": 'labels' is " + labels + " but 'indices' holds " + indices.length + " entries");
    }
    int[] stated = intArray(file, root, "per_class_counts", false);
    if (stated != null && !Arrays.equals(stated, counts)) {
      throw new UserInputException(
          "split file " + file + ": 'per_class_counts' is " + Arrays.toString(stated) + " but the labels of "
              + train.name() + " at those indices give " + Arrays.toString(counts)
              + " (a split made for other data?)");
    }
    JsonNode seedNode = root.get("seed");
    long seed = seedNode != null && seedNode.canConvertToLong() ? seedNode.asLong() : -1;
    int[] sorted = indices.clone();
    Arrays.sort(sorted);
    return new LabeledSplit(base, seed, sorted, counts);
  }

  private static int[] intArray(Path file, JsonNode root, String key, boolean required) {
    JsonNode node = root.get(key);
    if (node == null || node.isNull()) {
      if (required) {
        throw new UserInputException("split file " + file + ": missing '" + key + "' (a list of integers)");
      }
      return null;
    }
    if (!node.isArray()) {
      throw new UserInputException("split file " + file + ": '" + key + "' must be a list of integers");
    }
    int[] out = new int[node.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode v = node.get(i);
      if (!v.isIntegralNumber() || !v.canConvertToInt()) {
        throw new UserInputException("split file " + file + ": " + key + "[" + i + "] = " + v + " is not an integer");
      }
      out[i] = v.asInt();
    }
    return out;
  }

  private static int[][] indicesByClass(int[] labels, int numClasses) {
    int[] counts = new int[numClasses];
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] >= numClasses) {
        throw new IllegalArgumentException("label " + labels[i] + " at " + i + " >= numClasses " + numClasses);
      }
      if (labels[i] >= 0) {
        counts[labels[i]]++;
      }
    }
    int[][] out = new int[numClasses][];
    for (int c = 0; c < numClasses; c++) {
      out[c] = new int[counts[c]];
    }
    int[] fill = new int[numClasses];
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] >= 0) {
        out[labels[i]][fill[labels[i]]++] = i;
      }
    }
    return out;
  }
}

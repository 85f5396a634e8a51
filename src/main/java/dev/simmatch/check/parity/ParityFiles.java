package dev.simmatch.check.parity;

import dev.simmatch.UserInputException;
import dev.simmatch.io.Npz;
import dev.simmatch.model.WeightImport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One parity case: {@code X_init.npz} (PyTorch state dict before training), {@code X_io.npz}
 * (input, labels, forward outputs, step losses) and {@code X_after2steps.npz} (state dict after two
 * SGD steps), with the architecture read off the parameter names and shapes.
 */
record ParityFiles(String name, Path init, Path io, Path after) {

  /** What the init npz says about the network. */
  record Arch(String name, int classes, int channels, int projDim) {}

  /** Every complete triple in {@code dir}, sorted by name; a missing companion file is an error. */
  static List<ParityFiles> in(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new UserInputException("check-parity: " + dir + " is not a directory");
    }
    List<ParityFiles> cases = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      files.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith("_init.npz"))
          .sorted()
          .map(n -> n.substring(0, n.length() - "_init.npz".length()))
          .forEach(c -> cases.add(new ParityFiles(c, dir.resolve(c + "_init.npz"),
              dir.resolve(c + "_io.npz"), dir.resolve(c + "_after2steps.npz"))));
    } catch (IOException e) {
      throw new UserInputException("check-parity: cannot list " + dir + ": " + e.getMessage(), e);
    }
    for (ParityFiles c : cases) {
      for (Path companion : List.of(c.io(), c.after())) {
        if (!Files.isRegularFile(companion)) {
          throw new UserInputException(
              "check-parity: " + c.init() + " has no companion " + companion);
        }
      }
    }
    if (cases.isEmpty()) {
      throw new UserInputException("check-parity: no *_init.npz files in " + dir);
    }
    return cases;
  }

  static Npz.Array require(Map<String, Npz.Array> arrays, String key, Path file) {
    Npz.Array a = arrays.get(key);
    if (a == null) {
      throw new UserInputException(file + ": missing array '" + key + "'");
    }
    return a;
  }

  /** Arrays keyed by {@link WeightImport#canonical} names, so PyTorch prefixes do not matter. */
  static Map<String, Npz.Array> canonical(Map<String, Npz.Array> state) {
    Map<String, Npz.Array> byKey = new HashMap<>();
    state.forEach((k, v) -> byKey.put(WeightImport.canonical(k), v));
    return byKey;
  }

  /** Architecture, classes, input channels and embedding size, from the parameter names and shapes. */
  static Arch inferArch(Map<String, Npz.Array> state, Path file) {
    Map<String, Npz.Array> byKey = canonical(state);
    Npz.Array stem = require(byKey, "conv1.weight", file);
    int channels = (int) stem.shape()[1];
    int projDim = (int) require(byKey, "mlp_proj.2.weight", file).shape()[0];
    if (byKey.containsKey("block1.layer.0.conv1.weight")) {
      int units = 0;
      while (byKey.containsKey("block1.layer." + units + ".conv1.weight")) {
        units++;
      }
      int widen = (int) (byKey.get("block1.layer.0.conv1.weight").shape()[0] / 16);
      int classes = (int) require(byKey, "classifier.weight", file).shape()[0];
      return new Arch("wrn" + (6 * units + 4) + "_" + widen, classes, channels, projDim);
    }
    if (byKey.containsKey("layer4.0.conv3.weight")) {
      return new Arch("resnet50", (int) require(byKey, "fc.weight", file).shape()[0], channels, projDim);
    }
    if (byKey.containsKey("conv5.weight")) {
      return new Arch("cnn-small", (int) require(byKey, "classifier.weight", file).shape()[0], channels, projDim);
    }
    throw new UserInputException(
        file + ": cannot tell the architecture (no WideResNet, ResNet-50 or cnn-small parameter names)");
  }
}

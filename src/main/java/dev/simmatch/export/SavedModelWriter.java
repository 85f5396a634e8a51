package dev.simmatch.export;

import dev.simmatch.StorageException;
import dev.simmatch.UserInputException;
import dev.simmatch.io.Durable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.SessionFunction;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.proto.AssetFileDef;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;

/**
 * Writes a {@link ServingGraph} whose weights are loaded in a session as one version of a TF
 * Serving model: {@code MODEL_DIR/N/saved_model.pb}, {@code variables/} (the weights stay
 * variables, restored by the SavedModel's saver) and {@code assets/classes.txt}.
 *
 * <p>The version is written into a hidden temporary directory next to it and renamed into place,
 * so a server watching MODEL_DIR never sees half a version. The graph is reduced to what serving
 * needs (signature, saver, constants) and the class-name file is registered as an asset.
 */
public final class SavedModelWriter {
  /** Tag set of the one MetaGraph written. */
  public static final String TAG = "serve";

  /** A written version: its directory, number and total size in bytes. */
  public record Exported(Path dir, long version, long bytes) {}

  private SavedModelWriter() {}

  /**
   * @param version version number N (at least 1), or null for one more than the highest present
   * @param force replace an existing version N instead of refusing
   * @throws UserInputException if version N exists and force is false, or N is below 1
   */
  public static Exported write(ServingGraph g, Session session, Path modelDir, Long version, boolean force) {
    try {
      Files.createDirectories(modelDir);
    } catch (IOException e) {
      throw new UserInputException("cannot create model directory " + modelDir + ": " + e.getMessage(), e);
    }
    long v = version == null ? nextVersion(modelDir) : version;
    if (v < 1) {
      throw new UserInputException("--version must be at least 1, got " + v);
    }
    Path target = modelDir.resolve(Long.toString(v));
    if (Files.exists(target) && !force) {
      throw new UserInputException(
          "model version " + target + " already exists: pass --force to replace it, or choose another --version");
    }
    Path tmp = null;
    try {
      tmp = Files.createTempDirectory(modelDir, ".tmp-" + v + "-");
      readableByAll(tmp);
      SavedModelBundle.exporter(tmp.toString())
          .withTags(TAG)
          .withFunction(SessionFunction.create(g.signature(), session))
          .export();
      rewriteMetaGraph(tmp.resolve("saved_model.pb"), g);
      Path assets = Files.createDirectories(tmp.resolve("assets"));
      Files.writeString(assets.resolve(ServingGraph.CLASS_NAMES_FILE), String.join("\n", g.spec.classNames()) + "\n");
      Durable.syncTree(tmp);
      install(tmp, target, force);
      tmp = null;
      return new Exported(target, v, sizeOf(target));
    } catch (IOException | TensorFlowException e) {
      String why = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
      throw new StorageException(
          "cannot write model version " + target + ": " + why + "; nothing was published under " + modelDir
              + " and its other versions are untouched", e);
    } finally {
      if (tmp != null) {
        deleteQuietly(tmp);
      }
    }
  }

  /** One more than the highest numeric subdirectory of modelDir, or 1. */
  public static long nextVersion(Path modelDir) {
    if (!Files.isDirectory(modelDir)) {
      return 1;
    }
    try (Stream<Path> s = Files.list(modelDir)) {
      return s.filter(Files::isDirectory)
              .map(p -> p.getFileName().toString())
              .filter(n -> n.matches("[0-9]{1,18}"))
              .mapToLong(Long::parseLong)
              .max()
              .orElse(0)
          + 1;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + modelDir, e);
    }
  }

  /** Prunes the exported graph to the serving ops and registers the class-name asset. */
  private static void rewriteMetaGraph(Path savedModelPb, ServingGraph g) throws IOException {
    SavedModel model;
    try (InputStream in = Files.newInputStream(savedModelPb)) {
      model = SavedModel.parseFrom(in);
    }
    MetaGraphDef mg = model.getMetaGraphs(0);
    Set<String> roots = new HashSet<>(g.extraRoots());
    roots.add(mg.getSaverDef().getFilenameTensorName());
    roots.add(mg.getSaverDef().getSaveTensorName());
    roots.add(mg.getSaverDef().getRestoreOpName());
    for (SignatureDef sig : mg.getSignatureDefMap().values()) {
      sig.getInputsMap().values().forEach(t -> roots.add(t.getName()));
      sig.getOutputsMap().values().forEach(t -> roots.add(t.getName()));
    }
    AssetFileDef asset =
        AssetFileDef.newBuilder()
            .setFilename(ServingGraph.CLASS_NAMES_FILE)
            .setTensorInfo(
                TensorInfo.newBuilder()
                    .setName(g.classNamesAssetTensor())
                    .setDtype(DataType.DT_STRING)
                    .setTensorShape(TensorShapeProto.getDefaultInstance()))
            .build();
    MetaGraphDef rewritten =
        mg.toBuilder()
            .setGraphDef(GraphPruning.keepReachable(mg.getGraphDef(), roots))
            .addAssetFileDef(asset)
            .build();
    try (OutputStream out = Files.newOutputStream(savedModelPb)) {
      model.toBuilder().setMetaGraphs(0, rewritten).build().writeTo(out);
    }
  }

  /** Renames tmp to target; with force an existing target is swapped out and deleted. */
  private static void install(Path tmp, Path target, boolean force) throws IOException {
    if (Files.exists(target)) {
      if (!force) {
        throw new UserInputException("model version " + target + " appeared while exporting; not replaced");
      }
      Path old = Files.createTempDirectory(target.getParent(), ".old-" + target.getFileName() + "-");
      Files.delete(old);
      move(target, old);
      move(tmp, target);
      Durable.syncDir(target.getParent());
      deleteQuietly(old);
      return;
    }
    move(tmp, target);
    Durable.syncDir(target.getParent());
  }

  /** Temporary directories are created rwx------; a server running as another user must read the version. */
  private static void readableByAll(Path dir) throws IOException {
    if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to);
    }
  }

  private static long sizeOf(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      long total = 0;
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        total += Files.size(p);
      }
      return total;
    }
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // a leftover hidden directory is harmless: servers only load numeric ones
    }
  }
}

package dev.simmatch.cli;

import com.google.protobuf.TextFormat;
import dev.simmatch.algorithms.Algorithm;
import dev.simmatch.algorithms.AlgorithmRegistry;
import dev.simmatch.config.Config;
import dev.simmatch.data.Dataset;
import dev.simmatch.data.Datasets;
import dev.simmatch.data.LabeledSplit;
import dev.simmatch.export.ServingGraph;
import dev.simmatch.train.TrainGraph;
import dev.simmatch.train.Trainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.tensorflow.proto.GraphDef;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code simmatch graph --config FILE --out graphs/}: writes the training graph and the serving
 * graph of a config as text GraphDefs, {@code <run name>.train.pbtxt} and {@code <run
 * name>.serving.pbtxt}. The dataset is read for the image shape, classes and labeled count.
 */
@Command(
    name = "graph",
    mixinStandardHelpOptions = true,
    description = "Write the training and serving GraphDefs of a config as text (.pbtxt) for inspection.")
public final class GraphCommand implements Callable<Integer> {
  @Mixin ConfigOptions options;

  @Option(names = "--out", defaultValue = "graphs", paramLabel = "DIR")
  Path out;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Override data.dir.")
  Path dataDir;

  @Spec CommandSpec spec;

  /** The files written: training graph, serving graph. */
  List<Path> written = new ArrayList<>();

  @Override
  public Integer call() {
    List<String> first = new ArrayList<>(List.of("data.extra_unlabeled_limit=0"));
    if (dataDir != null) {
      first.add(ConfigOptions.setString("data.dir", dataDir.toString()));
    }
    Config cfg = options.load(first);
    Dataset train = Datasets.load(cfg.data()).train();
    int classes = train.numClasses();
    LabeledSplit split = LabeledSplit.forConfig(cfg.data(), train);
    Algorithm algorithm = AlgorithmRegistry.create(cfg, classes, split.size(), cfg.model().projDim(),
        Trainer.labeledDistribution(train, split.labeled(), classes));
    try (TrainGraph g = new TrainGraph(cfg, algorithm, train.height(), train.width(), train.channels(), classes)) {
      written.add(write(out.resolve(cfg.runName() + ".train.pbtxt"), g.graph.toGraphDef()));
    }
    try (ServingGraph g = new ServingGraph(cfg.model(), ServingGraph.Spec.of(cfg.data(), train), true)) {
      written.add(write(out.resolve(cfg.runName() + ".serving.pbtxt"), g.servingGraphDef()));
    }
    for (Path p : written) {
      spec.commandLine().getOut().println("wrote " + p);
    }
    spec.commandLine().getOut().flush();
    return 0;
  }

  /** Writes the GraphDef as protobuf text to a temporary file, then renames it. */
  private static Path write(Path file, GraphDef graph) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), "." + file.getFileName(), ".tmp");
      try {
        Files.writeString(tmp, TextFormat.printer().printToString(graph));
        if (tmp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
          Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(tmp);
      }
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}

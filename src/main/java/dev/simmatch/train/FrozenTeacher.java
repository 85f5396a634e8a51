package dev.simmatch.train;

import dev.simmatch.UserInputException;
import dev.simmatch.config.Config;
import dev.simmatch.config.Precision;
import dev.simmatch.data.DatasetInfo;
import dev.simmatch.model.Network;
import dev.simmatch.model.Networks;
import dev.simmatch.model.Params;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Another run's trained network inside this run's graph, as the frozen teacher of distillation
 * ({@code algorithm.teacher_run}, {@code teacher_checkpoint}, {@code teacher_weights}). Its
 * architecture and head come from the teacher run's own {@code config.yaml}, its classes and image
 * shape from its {@code dataset.json}. The variables live under {@value #PREFIX}; they are not in
 * the student's {@link Params}, so no gradient, optimizer slot, EMA shadow or BN update ever
 * touches them, and the teacher is only ever applied in inference mode. They are filled once, when
 * a run starts at step 0, from the chosen checkpoint ({@link #load}); a resumed run gets them back
 * from its own checkpoint, which holds every variable of the graph.
 */
public final class FrozenTeacher {
  private static final Logger LOG = LoggerFactory.getLogger(FrozenTeacher.class);
  /** Op-name prefix of the teacher's variables in the student's graph. */
  public static final String PREFIX = "teacher/";
  private static final String RUN_KEY = "algorithm.teacher_run";

  private final Path run;
  private final Path checkpoint;
  private final boolean ema;
  private final Config teacherCfg;
  private final DatasetInfo info;
  private Params params;
  private final List<Placeholder<TFloat32>> values = new ArrayList<>();
  private final List<Op> loads = new ArrayList<>();

  /**
   * Reads the teacher run's config, dataset info and checkpoint choice (nothing is restored yet).
   *
   * @throws UserInputException if the run, its config, dataset.json or the checkpoint is missing
   */
  public FrozenTeacher(Config.Algorithm cfg) {
    if (cfg.teacherRun() == null || cfg.teacherRun().isBlank()) {
      throw new UserInputException(RUN_KEY + ": algorithm distill needs the teacher's run directory");
    }
    this.run = Path.of(cfg.teacherRun());
    this.checkpoint = InitFrom.checkpoint(run, cfg.teacherCheckpoint(), RUN_KEY, "algorithm.teacher_checkpoint");
    this.ema = switch (cfg.teacherWeights() == null ? "" : cfg.teacherWeights()) {
      case "ema" -> true;
      case "raw" -> false;
      default -> throw new UserInputException(
          "algorithm.teacher_weights: expected ema or raw, got '" + cfg.teacherWeights() + "'");
    };
    if (!Files.isRegularFile(run.resolve("config.yaml")) || !Files.isRegularFile(run.resolve(DatasetInfo.FILE))) {
      throw new UserInputException(RUN_KEY + ": " + run + " is not a run directory (it needs config.yaml and "
          + DatasetInfo.FILE + ")");
    }
    this.teacherCfg = RunDirs.config(run, List.of());
    this.info = DatasetInfo.read(run);
  }

  /** The teacher run's directory. */
  public Path run() {
    return run;
  }

  /** The checkpoint the weights come from. */
  public Path checkpoint() {
    return checkpoint;
  }

  /** The teacher's model settings (architecture, head, selector). */
  public Config.Model model() {
    return teacherCfg.model();
  }

  /**
   * Creates the teacher's variables in the student's graph and the ops that load them.
   *
   * @param images the student's image placeholder [N,H,W,C]; its shape must be the teacher's
   * @param numClasses the student's C; the teacher must have as many
   * @throws UserInputException naming the teacher run and what differs
   */
  public Network build(Ops tf, Precision precision, Shape images, int numClasses) {
    if (params != null) {
      throw new IllegalStateException("teacher already built");
    }
    if (info.classNames().size() != numClasses) {
      throw new UserInputException(RUN_KEY + ": teacher run " + run + " has " + info.classNames().size()
          + " classes (" + DatasetInfo.FILE + "), this run has " + numClasses);
    }
    // Shape.equals is false for unknown sizes, so the batch axis is left out of the comparison.
    if (images.numDimensions() != 4 || images.get(1) != info.height() || images.get(2) != info.width()
        || images.get(3) != info.channels()) {
      throw new UserInputException(RUN_KEY + ": teacher run " + run + " takes images [N," + info.height() + ","
          + info.width() + "," + info.channels() + "] (" + DatasetInfo.FILE + "), this run feeds " + images);
    }
    params = new Params(tf, PREFIX, precision);
    Network net = Networks.create(params, teacherCfg.model().arch(), numClasses, info.channels(), teacherCfg.model(),
        teacherCfg.train().seed());
    Ops outside = tf.withControlDependencies(List.of());
    for (Params.Entry e : params.all()) {
      Placeholder<TFloat32> p = outside.placeholder(TFloat32.class, Placeholder.shape(e.shape()));
      values.add(p);
      loads.add(outside.assign(e.variable(), p));
    }
    return net;
  }

  /** The teacher's variables in the student's graph (after {@link #build}). */
  public List<Params.Entry> variables() {
    if (params == null) {
      throw new IllegalStateException("teacher not built");
    }
    return params.all();
  }

  /**
   * Copies the checkpoint's weights (EMA or raw, BN statistics included) into the teacher's
   * variables of {@code session}: the network is rebuilt in a graph of its own under the
   * checkpoint's names and restored there.
   *
   * @throws UserInputException if the checkpoint lacks a variable or holds another shape
   */
  public void load(Session session) {
    List<Params.Entry> mine = variables();
    List<Tensor> fetched = new ArrayList<>();
    String sourcePrefix = ema ? "ema/" : "";
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Params source = new Params(tf, sourcePrefix);
      Networks.create(source, teacherCfg.model().arch(), info.classNames().size(), info.channels(),
          teacherCfg.model(), teacherCfg.train().seed());
      try (Session s = new Session(g)) {
        try {
          Checkpoints.restore(s, checkpoint);
        } catch (TensorFlowException | IllegalArgumentException e) {
          String msg = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
          throw new UserInputException(RUN_KEY + ": checkpoint " + checkpoint + " of teacher run " + run
              + " does not hold the " + (ema ? "EMA" : "raw") + " weights (variables " + sourcePrefix
              + "*) of its model.arch " + teacherCfg.model().arch() + ", model.head " + teacherCfg.model().head()
              + ": " + msg, e);
        }
        Session.Runner r = s.runner();
        mine.forEach(e -> r.fetch(source.entry(e.name()).read()));
        try (Result res = r.run()) {
          for (int i = 0; i < mine.size(); i++) {
            fetched.add(InitFrom.copy((TFloat32) res.get(i)));
          }
        }
      }
      Session.Runner load = session.runner();
      for (int i = 0; i < mine.size(); i++) {
        load.feed(values.get(i), fetched.get(i));
      }
      loads.forEach(load::addTarget);
      load.run().close();
    } finally {
      fetched.forEach(Tensor::close);
    }
    LOG.info("teacher: {} variables ({} weights, model.arch {}, model.head {}) from {}", mine.size(),
        ema ? "EMA" : "raw", teacherCfg.model().arch(), teacherCfg.model().head(), checkpoint);
  }
}

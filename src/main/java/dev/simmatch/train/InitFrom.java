package dev.simmatch.train;

import dev.simmatch.UserInputException;
import dev.simmatch.config.Config;
import dev.simmatch.config.ConfigLoader;
import dev.simmatch.data.DatasetInfo;
import dev.simmatch.model.Network;
import dev.simmatch.model.Networks;
import dev.simmatch.model.Params;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Initial weights from another run ({@code train.init_from}), applied once when a run starts at
 * step 0 (a resumed run reads its own checkpoint instead). The source run's network is rebuilt
 * from its {@code config.yaml} and {@code dataset.json} in a graph of its own and restored from
 * the chosen checkpoint ({@code train.init_checkpoint}: latest, best or step-N); the selected
 * variables ({@code train.init_take}), BatchNorm statistics included, are then copied into this
 * run's online network. Optimizer slots and the step counter are not taken; the trainer copies
 * the online weights into the EMA network afterwards.
 *
 * <ul>
 *   <li>{@code encoder}: everything but the classifier and the projection heads;
 *   <li>{@code head:K}: the encoder plus SimCLR head layers 0..K-1 (SimCLRv2 fine-tuning from
 *       layer K);
 *   <li>{@code all}: every variable of the network.
 * </ul>
 *
 * {@code train.init_zero_classifier} then sets the classifier's weight and bias to 0 (the official
 * fine-tuning's zero_init_logits_layer).
 */
public final class InitFrom {
  private static final Logger LOG = LoggerFactory.getLogger(InitFrom.class);
  private static final Pattern HEAD_LAYERS = Pattern.compile("head:(\\d+)");
  private static final Pattern STEP = Pattern.compile("step-(\\d+)");

  private final Config.Train cfg;
  private final List<Params.Entry> taken;
  private final List<Placeholder<TFloat32>> values = new ArrayList<>();
  private final List<Op> loads = new ArrayList<>();
  private final List<Op> zeroClassifier = new ArrayList<>();

  /** Builds the load ops into the training graph (outside any control dependency). */
  InitFrom(Ops tf, Params online, Config.Train cfg) {
    this.cfg = cfg;
    this.taken = select(online.all(), cfg.initTake());
    for (Params.Entry e : taken) {
      Placeholder<TFloat32> p = tf.placeholder(TFloat32.class, Placeholder.shape(e.shape()));
      values.add(p);
      loads.add(tf.assign(e.variable(), p));
    }
    if (cfg.initZeroClassifier()) {
      for (Params.Entry e : online.all()) {
        if (isClassifier(e.name())) {
          zeroClassifier.add(tf.assign(e.variable(), tf.zerosLike(e.read())));
        }
      }
      if (zeroClassifier.isEmpty()) {
        throw new IllegalStateException("network has no classifier variables to zero");
      }
    }
  }

  /** The variables {@code take} selects, in network order. */
  static List<Params.Entry> select(List<Params.Entry> all, String take) {
    String t = take == null ? "" : take;
    Matcher layers = HEAD_LAYERS.matcher(t);
    int k;
    if (t.equals("all")) {
      return all;
    } else if (t.equals("encoder")) {
      k = 0;
    } else if (layers.matches()) {
      k = Integer.parseInt(layers.group(1));
    } else {
      throw new UserInputException("train.init_take: expected encoder, head:K or all, got '" + take + "'");
    }
    List<Params.Entry> out = new ArrayList<>();
    for (Params.Entry e : all) {
      if (!isHead(e.name()) || headLayer(e.name()) < k) {
        out.add(e);
      }
    }
    return out;
  }

  /** The classifier's variables ({@code backbone.classifier.*}, {@code backbone.fc.*}). */
  static boolean isClassifier(String name) {
    return name.startsWith("backbone.classifier.") || name.startsWith("backbone.fc.");
  }

  /** Classifier and projection-head variables: everything that is not the encoder. */
  static boolean isHead(String name) {
    return isClassifier(name) || name.startsWith("mlp_proj.") || name.startsWith("proj_head.");
  }

  /** The SimCLR head layer of a {@code proj_head.<j>.*} name; MAX_VALUE for other head variables. */
  private static int headLayer(String name) {
    if (!name.startsWith("proj_head.")) {
      return Integer.MAX_VALUE;
    }
    String rest = name.substring("proj_head.".length());
    return Integer.parseInt(rest.substring(0, rest.indexOf('.')));
  }

  /**
   * Loads the source run's values into {@code session}, then zeroes the classifier if configured.
   *
   * @param targetRun this run's directory, for messages
   */
  void apply(Session session, Path targetRun) {
    Path source = Path.of(cfg.initFrom());
    Path checkpoint = checkpoint(source, cfg.initCheckpoint());
    Config sourceCfg = sourceConfig(source);
    DatasetInfo info = DatasetInfo.read(source);
    List<Tensor> fetched = new ArrayList<>();
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Network net = Networks.create(new Params(tf, ""), sourceCfg.model().arch(), info.classNames().size(),
          info.channels(), sourceCfg.model(), sourceCfg.train().seed());
      Params params = net.params();
      for (Params.Entry e : taken) {
        if (!params.contains(e.name())) {
          throw new UserInputException("train.init_from: variable " + e.name() + " of run " + targetRun
              + " does not exist in run " + source + " (model.arch " + sourceCfg.model().arch() + ", model.head "
              + sourceCfg.model().head() + "); choose another train.init_take");
        }
        Params.Entry s = params.entry(e.name());
        if (!s.shape().equals(e.shape())) {
          throw new UserInputException("train.init_from: variable " + e.name() + " has shape " + e.shape()
              + " in run " + targetRun + " but " + s.shape() + " in run " + source);
        }
      }
      try (Session s = new Session(g)) {
        Checkpoints.restore(s, checkpoint);
        Session.Runner r = s.runner();
        taken.forEach(e -> r.fetch(params.entry(e.name()).read()));
        try (Result res = r.run()) {
          for (int i = 0; i < taken.size(); i++) {
            fetched.add(copy((TFloat32) res.get(i)));
          }
        }
      }
      Session.Runner load = session.runner();
      for (int i = 0; i < taken.size(); i++) {
        load.feed(values.get(i), fetched.get(i));
      }
      loads.forEach(load::addTarget);
      load.run().close();
    } finally {
      fetched.forEach(Tensor::close);
    }
    if (!zeroClassifier.isEmpty()) {
      Session.Runner z = session.runner();
      zeroClassifier.forEach(z::addTarget);
      z.run().close();
    }
    LOG.info("initialised {} variables ({}) from {}{}", taken.size(), cfg.initTake(), checkpoint,
        zeroClassifier.isEmpty() ? "" : ", classifier zeroed");
  }

  /** A tensor that outlives the Result it came from. */
  static TFloat32 copy(TFloat32 t) {
    float[] v = new float[Math.toIntExact(t.shape().size())];
    t.copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(v, false, false));
    return TFloat32.tensorOf(t.shape(), org.tensorflow.ndarray.buffer.DataBuffers.of(v, true, false));
  }

  private static Config sourceConfig(Path source) {
    Path file = source.resolve("config.yaml");
    if (!Files.isRegularFile(file)) {
      throw new UserInputException("train.init_from: " + source + " is not a run directory (no config.yaml)");
    }
    return ConfigLoader.load(file, List.of());
  }

  /** The checkpoint directory {@code which} names in run {@code source}. */
  static Path checkpoint(Path source, String which) {
    return checkpoint(source, which, "train.init_from", "train.init_checkpoint");
  }

  /**
   * As {@link #checkpoint(Path, String)}, with errors naming the config keys that gave the run
   * ({@code runKey}) and the checkpoint ({@code checkpointKey}).
   */
  static Path checkpoint(Path source, String which, String runKey, String checkpointKey) {
    if (!Files.isDirectory(source)) {
      throw new UserInputException(runKey + ": run directory " + source + " does not exist");
    }
    String w = which == null ? "" : which;
    Optional<Path> found;
    Matcher step = STEP.matcher(w);
    if (w.equals("latest")) {
      found = Checkpoints.latest(source);
    } else if (w.equals("best")) {
      found = Checkpoints.best(source);
    } else if (step.matches()) {
      Path p = Checkpoints.dir(source).resolve(String.format("step-%08d", Long.parseLong(step.group(1))));
      found = Files.isDirectory(p) ? Optional.of(p) : Optional.empty();
    } else {
      throw new UserInputException(checkpointKey + ": expected latest, best or step-N, got '" + which + "'");
    }
    return found.orElseThrow(() -> new UserInputException(
        runKey + ": run " + source + " has no " + w + " checkpoint under " + Checkpoints.dir(source)));
  }
}

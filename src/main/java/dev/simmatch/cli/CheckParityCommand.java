package dev.simmatch.cli;

import dev.simmatch.UserInputException;
import dev.simmatch.io.ReferenceData;
import dev.simmatch.config.Config;
import dev.simmatch.io.Npz;
import dev.simmatch.model.Network;
import dev.simmatch.model.Networks;
import dev.simmatch.model.Params;
import dev.simmatch.model.WeightImport;
import dev.simmatch.train.Gradients;
import dev.simmatch.train.SgdNesterov;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code simmatch check-parity DIR}: compares our networks with the PyTorch reference vectors.
 * For every {@code X_init.npz}, {@code X_io.npz}, {@code X_after2steps.npz} triple in DIR it
 * imports the initial state dict, then checks the inference-mode and training-mode forward passes
 * (logits, embedding), the losses of two SGD steps (mean CE; lr 0.03, momentum 0.9 Nesterov, weight
 * decay 5e-4 on conv/linear weights; variables without a gradient untouched) and the state after
 * them (parameters and BN running statistics). The architecture and sizes come from the npz.
 */
@Command(
    name = "check-parity",
    mixinStandardHelpOptions = true,
    description = "Check forward passes and two training steps against PyTorch reference npz triples in DIR.")
public final class CheckParityCommand implements Callable<Integer> {
  static final double ATOL = 1e-4;
  static final double RTOL = 1e-4;
  /** float32 through 28 layers vs float64: logits are compared with this absolute tolerance. */
  static final double LOGITS_ATOL = 1e-3;
  private static final float LR = 0.03f;
  private static final double MOMENTUM = 0.9;
  private static final double WEIGHT_DECAY = 5e-4;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "DIR",
      description =
          "folder with *_init.npz, *_io.npz, *_after2steps.npz; default: the repository's "
              + ReferenceData.IN_REPO + "/wrn28_2")
  Path dir;

  @Spec CommandSpec spec;

  /** One comparison: the largest |got - want| and whether every element was within tolerance. */
  public record Check(String name, double maxError, boolean passed) {}

  /** All comparisons of a run. */
  public record Report(List<Check> checks) {
    public long passed() {
      return checks.stream().filter(Check::passed).count();
    }

    public long failed() {
      return checks.size() - passed();
    }
  }

  /** What the init npz says about the network. */
  record Arch(String name, int classes, int channels, int projDim) {}

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Report report = run(dir != null ? dir : ReferenceData.folder("wrn28_2"), out);
    return report.failed() == 0 ? 0 : Main.EXIT_RUNTIME;
  }

  /** Runs every triple in {@code dir}, printing one line per check and a summary line. */
  public static Report run(Path dir, PrintWriter out) {
    List<String> cases = cases(dir);
    List<Check> checks = new ArrayList<>();
    for (String c : cases) {
      checks.addAll(runCase(dir, c, out));
    }
    Report report = new Report(checks);
    out.println(report.passed() + " passed, " + report.failed() + " failed");
    out.flush();
    return report;
  }

  private static List<String> cases(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new UserInputException("check-parity: " + dir + " is not a directory");
    }
    List<String> cases = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      files.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith("_init.npz"))
          .sorted()
          .forEach(n -> cases.add(n.substring(0, n.length() - "_init.npz".length())));
    } catch (IOException e) {
      throw new UserInputException("check-parity: cannot list " + dir + ": " + e.getMessage(), e);
    }
    for (String c : cases) {
      for (String suffix : new String[] {"_io.npz", "_after2steps.npz"}) {
        if (!Files.isRegularFile(dir.resolve(c + suffix))) {
          throw new UserInputException("check-parity: " + dir.resolve(c + "_init.npz") + " has no companion "
              + dir.resolve(c + suffix));
        }
      }
    }
    if (cases.isEmpty()) {
      throw new UserInputException("check-parity: no *_init.npz files in " + dir);
    }
    return cases;
  }

  private static List<Check> runCase(Path dir, String name, PrintWriter out) {
    Path initFile = dir.resolve(name + "_init.npz");
    Path ioFile = dir.resolve(name + "_io.npz");
    Path afterFile = dir.resolve(name + "_after2steps.npz");
    Map<String, Npz.Array> init = Npz.read(initFile);
    Map<String, Npz.Array> io = Npz.read(ioFile);
    Map<String, Npz.Array> after = Npz.read(afterFile);
    Arch arch = inferArch(init, initFile);
    Npz.Array input = require(io, "input_nhwc", ioFile);
    if (input.shape().length != 4) {
      throw new UserInputException(ioFile + ": array 'input_nhwc' must be [N,H,W,C], got " + input.shapeString());
    }
    long[] labels = require(io, "labels", ioFile).integers(ioFile + ": array 'labels'");
    long[] s = input.shape();
    out.println(name + ": " + arch.name() + ", " + arch.classes() + " classes, input " + input.shapeString());

    List<Check> checks = new ArrayList<>();
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> x =
          tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, s[1], s[2], s[3])));
      Params params = new Params(tf, "");
      Network net =
          Networks.create(params, arch.name(), arch.classes(), arch.channels(),
              new Config.Model(arch.name(), arch.projDim(), 0.999), 0);
      Network.Outputs eval = net.forward(x, false);
      Network.Outputs train = net.forward(x, true);
      int[] y = new int[labels.length];
      for (int i = 0; i < y.length; i++) {
        y[i] = (int) labels[i];
      }
      Operand<TFloat32> onehot = tf.oneHot(tf.constant(y), tf.constant(arch.classes()), tf.constant(1f), tf.constant(0f));
      Operand<TFloat32> loss =
          tf.math.mean(tf.nn.softmaxCrossEntropyWithLogits(train.logits(), onehot).loss(), tf.constant(0));
      List<Params.Entry> trainable = params.trainable();
      List<Operand<TFloat32>> grads = Gradients.of(tf, loss, trainable);
      List<Op> readers = new ArrayList<>(List.of(loss));
      grads.stream().filter(gr -> gr != null).forEach(readers::add);
      List<Op> step = new ArrayList<>(
          SgdNesterov.apply(tf.withControlDependencies(readers), trainable, grads, tf.constant(LR),
              MOMENTUM, true, WEIGHT_DECAY, false));
      step.addAll(train.statisticUpdates());

      WeightImport importer = new WeightImport(params);
      try (Session session = new Session(g);
          TFloat32 images = TFloat32.tensorOf(Shape.of(s), DataBuffers.of(input.floats(ioFile + ": 'input_nhwc'"), true, false))) {
        importer.assign(session, init, initFile.toString());
        double logitsAtol = arch.name().startsWith("wrn") ? LOGITS_ATOL : ATOL;
        try (Result r = session.runner().feed(x, images).fetch(eval.logits()).fetch(eval.embedding()).run()) {
          checks.add(report(out, "eval logits", (TFloat32) r.get(0), require(io, "eval_logits", ioFile), logitsAtol));
          checks.add(report(out, "eval embedding", (TFloat32) r.get(1), require(io, "eval_embedding", ioFile), ATOL));
        }
        try (Result r = session.runner().feed(x, images).fetch(train.logits()).fetch(train.embedding()).run()) {
          checks.add(report(out, "train logits", (TFloat32) r.get(0), require(io, "train_logits", ioFile), logitsAtol));
          checks.add(report(out, "train embedding", (TFloat32) r.get(1), require(io, "train_embedding", ioFile), ATOL));
        }
        double[] wantLosses = require(io, "step_losses", ioFile).asDoubles();
        float[] losses = new float[wantLosses.length];
        for (int i = 0; i < losses.length; i++) {
          Session.Runner runner = session.runner().feed(x, images).fetch(loss);
          step.forEach(runner::addTarget);
          try (Result r = runner.run()) {
            losses[i] = ((TFloat32) r.get(0)).getFloat();
          }
        }
        checks.add(compare(out, "step losses", losses, wantLosses, ATOL));
        Map<String, Npz.Array> state = importer.export(session);
        checks.addAll(compareState(out, state, after, afterFile));
        checks.add(untouched(out, state, init, after));
      }
    }
    return checks;
  }

  /** Parameters and running statistics after the steps, one check per kind, naming the worst arrays. */
  private static List<Check> compareState(
      PrintWriter out, Map<String, Npz.Array> got, Map<String, Npz.Array> want, Path wantFile) {
    Map<String, Npz.Array> wantByKey = new HashMap<>();
    want.forEach((k, v) -> wantByKey.put(WeightImport.canonical(k), v));
    double[] maxErr = new double[2];
    boolean[] ok = {true, true};
    List<String> bad = new ArrayList<>();
    for (Map.Entry<String, Npz.Array> e : got.entrySet()) {
      Npz.Array w = wantByKey.get(WeightImport.canonical(e.getKey()));
      if (w == null) {
        throw new UserInputException(wantFile + ": no array for parameter " + e.getKey());
      }
      int kind = e.getKey().endsWith("running_mean") || e.getKey().endsWith("running_var") ? 1 : 0;
      double[] g = e.getValue().asDoubles();
      double[] wv = w.asDoubles();
      if (g.length != wv.length) {
        throw new UserInputException(wantFile + ": array for " + e.getKey() + " has " + wv.length
            + " values, expected " + g.length);
      }
      double err = 0;
      boolean within = true;
      for (int i = 0; i < g.length; i++) {
        double d = Math.abs(g[i] - wv[i]);
        err = Math.max(err, d);
        within &= d <= ATOL + RTOL * Math.abs(wv[i]);
      }
      maxErr[kind] = Math.max(maxErr[kind], err);
      if (!within) {
        ok[kind] = false;
        bad.add(e.getKey() + " (" + String.format("%.3g", err) + ")");
      }
    }
    List<Check> checks = List.of(
        new Check("after 2 steps: parameters", maxErr[0], ok[0]),
        new Check("after 2 steps: BN running statistics", maxErr[1], ok[1]));
    checks.forEach(c -> print(out, c));
    if (!bad.isEmpty()) {
      out.println("    out of tolerance: " + String.join(", ", bad.subList(0, Math.min(10, bad.size())))
          + (bad.size() > 10 ? ", ..." : ""));
    }
    return checks;
  }

  /**
   * Parameters the reference left exactly unchanged (no gradient: the head, unused bn1) must be
   * bit-identical to their imported float32 values: weight decay alone would move them by far less
   * than the tolerance, so this is checked exactly.
   */
  private static Check untouched(
      PrintWriter out, Map<String, Npz.Array> got, Map<String, Npz.Array> init, Map<String, Npz.Array> after) {
    Map<String, Npz.Array> initByKey = new HashMap<>();
    Map<String, Npz.Array> afterByKey = new HashMap<>();
    init.forEach((k, v) -> initByKey.put(WeightImport.canonical(k), v));
    after.forEach((k, v) -> afterByKey.put(WeightImport.canonical(k), v));
    double err = 0;
    int count = 0;
    for (Map.Entry<String, Npz.Array> e : got.entrySet()) {
      String key = WeightImport.canonical(e.getKey());
      double[] before = initByKey.get(key).asDoubles();
      if (!Arrays.equals(before, afterByKey.get(key).asDoubles())) {
        continue;
      }
      count++;
      double[] g = e.getValue().asDoubles();
      for (int i = 0; i < g.length; i++) {
        err = Math.max(err, Math.abs(g[i] - (float) before[i]));
      }
    }
    Check c = new Check("unchanged without gradient (" + count + " arrays)", err, err == 0);
    print(out, c);
    return c;
  }

  private static Check report(PrintWriter out, String name, TFloat32 got, Npz.Array want, double atol) {
    if (!Shape.of(want.shape()).equals(got.shape())) {
      Check c = new Check(name + " (shape " + got.shape() + " vs " + want.shapeString() + ")", Double.NaN, false);
      print(out, c);
      return c;
    }
    float[] g = new float[(int) got.size()];
    got.copyTo(DataBuffers.of(g, false, false));
    return compare(out, name, g, want.asDoubles(), atol);
  }

  private static Check compare(PrintWriter out, String name, float[] got, double[] want, double atol) {
    double err = 0;
    boolean within = got.length == want.length;
    for (int i = 0; i < Math.min(got.length, want.length); i++) {
      double d = Math.abs(got[i] - want[i]);
      err = Math.max(err, d);
      within &= d <= atol + RTOL * Math.abs(want[i]);
    }
    Check c = new Check(name, err, within);
    print(out, c);
    return c;
  }

  private static void print(PrintWriter out, Check c) {
    out.printf("  %-4s %-40s max |err| %.3g%n", c.passed() ? "ok" : "FAIL", c.name(), c.maxError());
    out.flush();
  }

  private static Npz.Array require(Map<String, Npz.Array> arrays, String key, Path file) {
    Npz.Array a = arrays.get(key);
    if (a == null) {
      throw new UserInputException(file + ": missing array '" + key + "'");
    }
    return a;
  }

  /** Architecture, classes, input channels and embedding size, from the parameter names and shapes. */
  static Arch inferArch(Map<String, Npz.Array> state, Path file) {
    Map<String, Npz.Array> byKey = new HashMap<>();
    state.forEach((k, v) -> byKey.put(WeightImport.canonical(k), v));
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
    throw new UserInputException(file + ": cannot tell the architecture (no WideResNet, ResNet-50 or cnn-small parameter names)");
  }
}

package dev.simmatch.check.parity;

import dev.simmatch.UserInputException;
import dev.simmatch.config.Config;
import dev.simmatch.config.Precision;
import dev.simmatch.io.Npz;
import dev.simmatch.model.Network;
import dev.simmatch.model.Networks;
import dev.simmatch.model.Params;
import dev.simmatch.model.WeightImport;
import dev.simmatch.train.Gradients;
import dev.simmatch.train.SgdNesterov;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

/**
 * Compares our networks with PyTorch reference triples ({@link ParityFiles}): the inference- and
 * training-mode forward passes (logits, embedding), the losses of two SGD steps on the mean
 * cross-entropy, and the parameters and BN running statistics after them.
 *
 * <p>Tolerances. Forward outputs and losses: {@code |got - want| <= atol + rtol |want|}. State after
 * the steps is judged against the size of what the steps changed, per tensor:
 * {@code max|w - w_ref| <= stateAtol + updateRtol * max|w_ref - w_init|}. Float32 rounding of large
 * gradient sums scales with the update, not with the weight, so a rule relative to |w| is either too
 * loose to see a wrong weight decay or too tight for a deep first layer; tensors the reference left
 * unchanged (no gradient) must stay bit-identical.
 */
public final class ParityChecker {

  /** The optimizer and BatchNorm settings the reference steps were taken with. */
  public record Settings(float lr, double momentum, boolean nesterov, double weightDecay, double bnMomentum) {
    /** lr 0.03, momentum 0.9 Nesterov, weight decay 5e-4 on conv/linear weights, PyTorch BN momentum 0.001. */
    public static final Settings REFERENCE = new Settings(0.03f, 0.9, true, 5e-4, 0.999);
  }

  /** Tolerances; {@link #rule()} is printed with every run. */
  public record Tolerance(
      double atol, double rtol, double logitsAtol, double stateAtol, double updateRtol, double maxScaleZ,
      boolean relativeToTensorMax) {
    /**
     * float32 through 28 layers against a float64 reference: logits get 1e-3 absolute. Measured on
     * the repository's WRN-28-2 case and 13 more seeds (scripts/pytorch/wrn_parity_case.py): state
     * errors reach 0.074 of the update and the rescaling |z| 3.7 on conv/linear weights; a missing
     * Nesterov term gives 0.42 of the update, weight decay off or doubled |z| above 1000.
     */
    public static final Tolerance DEFAULT = new Tolerance(1e-4, 1e-4, 1e-3, 1e-6, 0.2, 8, false);

    /**
     * Mixed bfloat16 (check-parity --precision bfloat16) against the same float64 reference. bfloat16
     * keeps 8 significant bits (unit roundoff 2^-9 = 0.2%) and every convolution rounds its input and
     * kernel, so an output's error scales with the magnitude of the whole tensor (of the terms summed
     * into it), not with the element: outputs are judged relative to their tensor's max |want|. On the
     * repository's WRN-28-2 case: eval logits off by 0.25 (max |want| 48, 0.5%), train logits 0.0053
     * of 1, embeddings 0.0019 of 0.23, losses 3.8e-4 of 2.4; the state after two steps by up to 0.24
     * of the update (a BN bias), the rescaling |z| 2.4. Hence 1% of the tensor's scale (5 roundoffs)
     * plus 2e-3 absolute (1e-2 for logits), and half the update for the state. The optimizer itself is
     * checked in float32, where a missing Nesterov term (0.42 of the update) stands out; here it would
     * not, while a missing weight decay still does.
     */
    public static final Tolerance BFLOAT16 = new Tolerance(2e-3, 1e-2, 1e-2, 1e-5, 0.5, 8, true);

    public String rule() {
      return String.format(
          "outputs and losses |got - want| <= %.0e + %.0e %s (WRN logits: %.0e + %.0e %s);"
              + " state after steps, per tensor: max|w - w_ref| <= %.0e + %.2g max|w_ref - w_init|;"
              + " decayed weights' error along w_init, c = <w - w_ref, w_init>/<w_init, w_init>, within"
              + " %.0f standard errors of 0; tensors without gradient bit-identical",
          atol, rtol, scale(), logitsAtol, rtol, scale(), stateAtol, updateRtol, maxScaleZ);
    }

    private String scale() {
      return relativeToTensorMax ? "max|want| of the tensor" : "|want|";
    }
  }

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

  private final Settings settings;
  private final Tolerance tolerance;
  private final Precision precision;
  private final PrintWriter out;

  public ParityChecker(Settings settings, Tolerance tolerance, PrintWriter out) {
    this(settings, tolerance, Precision.FLOAT32, out);
  }

  /**
   * @param precision arithmetic of the network's convolutions and matrix products (bfloat16: mixed
   *     precision as train.precision=bfloat16 trains), compared against the same float64 reference
   */
  public ParityChecker(Settings settings, Tolerance tolerance, Precision precision, PrintWriter out) {
    this.settings = settings;
    this.tolerance = tolerance;
    this.precision = precision;
    this.out = out;
  }

  /** Runs every triple in {@code dir}, printing the rule, one line per check and a summary line. */
  public Report run(Path dir) {
    List<ParityFiles> cases = ParityFiles.in(dir);
    out.println("precision: " + precision.key());
    out.println("tolerance: " + tolerance.rule());
    List<Check> checks = new ArrayList<>();
    for (ParityFiles c : cases) {
      checks.addAll(runCase(c));
    }
    Report report = new Report(checks);
    out.println(report.passed() + " passed, " + report.failed() + " failed");
    out.flush();
    return report;
  }

  private List<Check> runCase(ParityFiles files) {
    Map<String, Npz.Array> init = Npz.read(files.init());
    Map<String, Npz.Array> io = Npz.read(files.io());
    Map<String, Npz.Array> after = Npz.read(files.after());
    ParityFiles.Arch arch = ParityFiles.inferArch(init, files.init());
    Npz.Array input = ParityFiles.require(io, "input_nhwc", files.io());
    if (input.shape().length != 4) {
      throw new UserInputException(
          files.io() + ": array 'input_nhwc' must be [N,H,W,C], got " + input.shapeString());
    }
    long[] labels = ParityFiles.require(io, "labels", files.io()).integers(files.io() + ": array 'labels'");
    long[] s = input.shape();
    out.println(files.name() + ": " + arch.name() + ", " + arch.classes() + " classes, input " + input.shapeString());

    List<Check> checks = new ArrayList<>();
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> x =
          tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, s[1], s[2], s[3])));
      Params params = new Params(tf, "", precision);
      Network net = Networks.create(params, arch.name(), arch.classes(), arch.channels(),
          new Config.Model(arch.name(), arch.projDim(), settings.bnMomentum()), 0);
      Network.Outputs eval = net.forward(x, false);
      Network.Outputs train = net.forward(x, true);
      int[] y = Arrays.stream(labels).mapToInt(Math::toIntExact).toArray();
      Operand<TFloat32> onehot =
          tf.oneHot(tf.constant(y), tf.constant(arch.classes()), tf.constant(1f), tf.constant(0f));
      Operand<TFloat32> loss =
          tf.math.mean(tf.nn.softmaxCrossEntropyWithLogits(train.logits(), onehot).loss(), tf.constant(0));
      List<Params.Entry> trainable = params.trainable();
      List<Operand<TFloat32>> grads = Gradients.of(tf, loss, trainable);
      Set<String> noGradient = new HashSet<>();
      Set<String> decayed = new HashSet<>();
      for (int i = 0; i < trainable.size(); i++) {
        Params.Entry e = trainable.get(i);
        if (grads.get(i) == null) {
          noGradient.add(e.name());
        } else if (e.kind() == Params.Kind.WEIGHT) {
          decayed.add(e.name());
        }
      }
      List<Op> readers = new ArrayList<>(List.of(loss));
      grads.stream().filter(gr -> gr != null).forEach(readers::add);
      List<Op> step = new ArrayList<>(SgdNesterov.apply(tf.withControlDependencies(readers), trainable, grads,
          tf.constant(settings.lr()), settings.momentum(), settings.nesterov(), settings.weightDecay(), false));
      step.addAll(train.statisticUpdates());

      WeightImport importer = new WeightImport(params);
      float[] pixels = input.floats(files.io() + ": 'input_nhwc'");
      try (Session session = new Session(g);
          TFloat32 images = TFloat32.tensorOf(Shape.of(s), DataBuffers.of(pixels, true, false))) {
        importer.assign(session, init, files.init().toString());
        double logitsAtol = arch.name().startsWith("wrn") ? tolerance.logitsAtol() : tolerance.atol();
        try (Result r = session.runner().feed(x, images).fetch(eval.logits()).fetch(eval.embedding()).run()) {
          checks.add(output("eval logits", (TFloat32) r.get(0), ParityFiles.require(io, "eval_logits", files.io()), logitsAtol));
          checks.add(output("eval embedding", (TFloat32) r.get(1), ParityFiles.require(io, "eval_embedding", files.io()), tolerance.atol()));
        }
        try (Result r = session.runner().feed(x, images).fetch(train.logits()).fetch(train.embedding()).run()) {
          checks.add(output("train logits", (TFloat32) r.get(0), ParityFiles.require(io, "train_logits", files.io()), logitsAtol));
          checks.add(output("train embedding", (TFloat32) r.get(1), ParityFiles.require(io, "train_embedding", files.io()), tolerance.atol()));
        }
        double[] wantLosses = ParityFiles.require(io, "step_losses", files.io()).asDoubles();
        float[] losses = new float[wantLosses.length];
        for (int i = 0; i < losses.length; i++) {
          Session.Runner runner = session.runner().feed(x, images).fetch(loss);
          step.forEach(runner::addTarget);
          try (Result r = runner.run()) {
            losses[i] = ((TFloat32) r.get(0)).getFloat();
          }
        }
        checks.add(compare("step losses", losses, wantLosses, tolerance.atol()));
        Map<String, Npz.Array> state = importer.export(session);
        checks.addAll(stateAfterSteps(state, init, after, files.after(), noGradient, decayed));
        checks.add(untouched(state, init, after, noGradient));
      }
    }
    return checks;
  }

  /**
   * One tensor of the state after the steps: the largest error, the largest change the reference
   * made, and the error's component along the initial weights, {@code c = <w - w_ref, w0> / <w0, w0>}
   * with its z-score {@code c ||w0|| / rms(residual)}. A wrong weight decay rescales every weight by
   * the same factor (lr * delta_wd per step, times the momentum sum): c then stands out of the
   * float32 noise by orders of magnitude even where it is far below the update itself.
   */
  private record TensorError(String name, double error, double update, double bound, double scale, double z) {
    /** error / bound; an exact match within a zero bound counts as 0. */
    double ratio() {
      return error == 0 ? 0 : error / bound;
    }
  }

  private TensorError tensorError(String name, double[] got, double[] ref, double[] before) {
    double err = 0;
    double update = 0;
    double dv = 0;
    double vv = 0;
    double dd = 0;
    for (int i = 0; i < got.length; i++) {
      double d = got[i] - ref[i];
      err = Math.max(err, Math.abs(d));
      update = Math.max(update, Math.abs(ref[i] - before[i]));
      dv += d * before[i];
      vv += before[i] * before[i];
      dd += d * d;
    }
    double c = vv == 0 ? 0 : dv / vv;
    double residualRms = Math.sqrt(Math.max(0, dd - c * dv) / Math.max(1, got.length - 1));
    double z = c == 0 ? 0 : residualRms == 0 ? Double.POSITIVE_INFINITY : c * Math.sqrt(vv) / residualRms;
    return new TensorError(name, err, update, tolerance.stateAtol() + tolerance.updateRtol() * update, c, z);
  }

  /**
   * Parameters and running statistics after the steps against the update-relative bound, and the
   * parameters' error along their initial values against {@link Tolerance#maxScaleZ}.
   */
  private List<Check> stateAfterSteps(Map<String, Npz.Array> got, Map<String, Npz.Array> init,
      Map<String, Npz.Array> want, Path wantFile, Set<String> noGradient, Set<String> decayed) {
    Map<String, Npz.Array> wantByKey = ParityFiles.canonical(want);
    Map<String, Npz.Array> initByKey = ParityFiles.canonical(init);
    List<TensorError> params = new ArrayList<>();
    List<TensorError> stats = new ArrayList<>();
    List<TensorError> weights = new ArrayList<>();
    for (Map.Entry<String, Npz.Array> e : got.entrySet()) {
      if (noGradient.contains(e.getKey())) {
        continue;
      }
      String key = WeightImport.canonical(e.getKey());
      Npz.Array w = wantByKey.get(key);
      if (w == null) {
        throw new UserInputException(wantFile + ": no array for parameter " + e.getKey());
      }
      double[] g = e.getValue().asDoubles();
      double[] ref = w.asDoubles();
      if (g.length != ref.length) {
        throw new UserInputException(
            wantFile + ": array for " + e.getKey() + " has " + ref.length + " values, expected " + g.length);
      }
      boolean isStat = key.endsWith("running_mean") || key.endsWith("running_var");
      TensorError t = tensorError(e.getKey(), g, ref, initByKey.get(key).asDoubles());
      (isStat ? stats : params).add(t);
      if (decayed.contains(e.getKey())) {
        weights.add(t);
      }
    }
    List<Check> checks = new ArrayList<>();
    checks.add(againstUpdate("after 2 steps: parameters", params));
    checks.add(againstUpdate("after 2 steps: BN running statistics", stats));
    TensorError worst = weights.stream().max(Comparator.comparingDouble(t -> Math.abs(t.z()))).orElse(null);
    double maxZ = worst == null ? 0 : Math.abs(worst.z());
    Check scale = new Check("after 2 steps: rescaling (weight decay)", maxZ, maxZ <= tolerance.maxScaleZ());
    print(scale, worst == null ? "" : String.format("  |z|, worst %s (c = %.2e)", worst.name(), worst.scale()));
    checks.add(scale);
    return checks;
  }

  private Check againstUpdate(String name, List<TensorError> errors) {
    double maxErr = errors.stream().mapToDouble(TensorError::error).max().orElse(0);
    List<TensorError> bad = errors.stream()
        .filter(t -> t.error() > t.bound())
        .sorted(Comparator.comparingDouble(TensorError::ratio).reversed())
        .toList();
    Check c = new Check(name, maxErr, bad.isEmpty());
    TensorError worst = errors.stream().max(Comparator.comparingDouble(TensorError::ratio)).orElse(null);
    print(c, worst == null ? "" : String.format("  worst %s at %.2f of its bound", worst.name(), worst.ratio()));
    if (!bad.isEmpty()) {
      out.println("    out of tolerance: " + String.join(", ", bad.stream().limit(10)
          .map(t -> String.format("%s (|err| %.3g, update %.3g)", t.name(), t.error(), t.update())).toList())
          + (bad.size() > 10 ? ", ... (" + bad.size() + " tensors)" : ""));
    }
    return c;
  }

  /**
   * Parameters without a gradient in this graph (the projection head, the unused bn1 of the
   * down-sampling units) must keep their imported float32 values bit for bit, and the reference
   * must have left them unchanged too (PyTorch skips them entirely, weight decay included).
   */
  private Check untouched(Map<String, Npz.Array> got, Map<String, Npz.Array> init, Map<String, Npz.Array> after,
      Set<String> noGradient) {
    Map<String, Npz.Array> initByKey = ParityFiles.canonical(init);
    Map<String, Npz.Array> afterByKey = ParityFiles.canonical(after);
    double err = 0;
    List<String> movedInReference = new ArrayList<>();
    for (String name : noGradient) {
      String key = WeightImport.canonical(name);
      double[] before = initByKey.get(key).asDoubles();
      if (!Arrays.equals(before, afterByKey.get(key).asDoubles())) {
        movedInReference.add(name);
      }
      double[] g = got.get(name).asDoubles();
      for (int i = 0; i < g.length; i++) {
        err = Math.max(err, Math.abs(g[i] - (float) before[i]));
      }
    }
    Check c = new Check("unchanged without gradient (" + noGradient.size() + " arrays)", err,
        err == 0 && movedInReference.isEmpty());
    print(c, "");
    if (!movedInReference.isEmpty()) {
      out.println("    no gradient here, but changed by the reference: " + String.join(", ", movedInReference));
    }
    return c;
  }

  private Check output(String name, TFloat32 got, Npz.Array want, double atol) {
    if (!Shape.of(want.shape()).equals(got.shape())) {
      Check c = new Check(name + " (shape " + got.shape() + " vs " + want.shapeString() + ")", Double.NaN, false);
      print(c, "");
      return c;
    }
    float[] g = new float[(int) got.size()];
    got.copyTo(DataBuffers.of(g, false, false));
    return compare(name, g, want.asDoubles(), atol);
  }

  private Check compare(String name, float[] got, double[] want, double atol) {
    double err = 0;
    boolean within = got.length == want.length;
    double tensorMax = Arrays.stream(want).map(Math::abs).max().orElse(0);
    for (int i = 0; i < Math.min(got.length, want.length); i++) {
      double d = Math.abs(got[i] - want[i]);
      err = Math.max(err, d);
      within &= d <= atol + tolerance.rtol() * (tolerance.relativeToTensorMax() ? tensorMax : Math.abs(want[i]));
    }
    Check c = new Check(name, err, within);
    print(c, "");
    return c;
  }

  private void print(Check c, String detail) {
    out.printf("  %-4s %-40s max |err| %.3g%s%n", c.passed() ? "ok" : "FAIL", c.name(), c.maxError(), detail);
    out.flush();
  }
}

package dev.simmatch.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.simmatch.UserInputException;
import dev.simmatch.algorithms.AlgorithmRegistry;
import dev.simmatch.algorithms.Distill;
import dev.simmatch.cli.Main;
import dev.simmatch.config.Config;
import dev.simmatch.data.Dataset;
import dev.simmatch.data.Datasets;
import dev.simmatch.data.Fixtures;
import dev.simmatch.model.Network;
import dev.simmatch.model.Networks;
import dev.simmatch.model.Params;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import picocli.CommandLine;

/**
 * SimCLRv2 distillation end to end on tiny images: a fine-tuned teacher run (SimCLR head, classifier
 * on head layer 1) teaches a cnn-small student without a projection head.
 */
class DistillTest {
  @TempDir static Path data;
  @TempDir static Path runs;
  static Path teacher;

  /** A SimCLRv2-style fine-tuned teacher: supervised, classifier on the first of 2 head layers. */
  static Config teacherConfig(String... extra) {
    List<String> sets = new ArrayList<>(List.of("algorithm.name=supervised", "model.head=simclr",
        "model.proj_layers=2", "model.ft_proj_selector=1", "model.bn_momentum=0.9", "train.ema=0.5",
        "train.optimizer=lars", "train.lr=0.05", "train.weight_decay=0"));
    sets.addAll(List.of(extra));
    return TrainerTest.config(data, sets.toArray(String[]::new));
  }

  static Config distillConfig(String... extra) {
    List<String> sets = new ArrayList<>(List.of("algorithm.name=distill", "algorithm.teacher_run=" + teacher,
        "algorithm.teacher_checkpoint=latest", "data.strong=simclr", "data.jitter_prob=0", "data.grayscale_prob=0",
        "model.head=none", "model.bn_momentum=0.9", "train.optimizer=lars", "train.lr=1.0",
        "train.weight_decay=1.0e-4", "train.lars_exclude=[bn, bias]", "train.schedule=warmup-cosine",
        "train.steps=4", "train.eval_every=2", "train.checkpoint_every=2"));
    sets.addAll(List.of(extra));
    return TrainerTest.config(data, sets.toArray(String[]::new));
  }

  @BeforeAll
  static void fineTunedTeacher() {
    TinyData.write(data, 4, 6, 3, 13);
    teacher = runs.resolve("teacher");
    new Trainer(teacherConfig(), teacher, false).run();
  }

  /** Every variable of a network as saved under {@code prefix} in a checkpoint, by name. */
  private static List<float[]> saved(Config.Model model, String prefix, Path checkpoint, List<String> names) {
    try (Graph g = new Graph()) {
      Params p = new Params(Ops.create(g), prefix);
      Networks.create(p, model.arch(), 4, 1, model, 1);
      try (Session s = new Session(g)) {
        Checkpoints.restore(s, checkpoint);
        List<float[]> out = new ArrayList<>();
        for (String n : names) {
          out.add(values(s, p.read(n)));
        }
        return out;
      }
    }
  }

  private static float[] values(Session s, Operand<TFloat32> op) {
    try (Result r = s.runner().fetch(op).run()) {
      TFloat32 t = (TFloat32) r.get(0);
      float[] v = new float[Math.toIntExact(t.shape().size())];
      t.copyTo(DataBuffers.of(v, false, false));
      return v;
    }
  }

  private static void assertBitIdentical(List<float[]> want, List<float[]> got, List<String> names) {
    for (int i = 0; i < names.size(); i++) {
      assertEquals(want.get(i).length, got.get(i).length, names.get(i));
      for (int j = 0; j < want.get(i).length; j++) {
        assertEquals(Float.floatToRawIntBits(want.get(i)[j]), Float.floatToRawIntBits(got.get(i)[j]),
            names.get(i) + "[" + j + "]");
      }
    }
  }

  @Test
  void teacherWeightsAndStatisticsStayBitIdenticalWhileTheStudentTrains() {
    Path student = runs.resolve("student-frozen");
    new Trainer(distillConfig(), student, false).run();
    Config.Model teacherModel = teacherConfig().model();
    List<String> names;
    try (Graph g = new Graph()) {
      Params p = new Params(Ops.create(g), "");
      Networks.create(p, "cnn-small", 4, 1, teacherModel, 1);
      names = p.all().stream().map(Params.Entry::name).toList();
    }
    assertTrue(names.stream().anyMatch(n -> n.endsWith("running_var")), "BN statistics are compared too");
    assertTrue(names.stream().anyMatch(n -> n.startsWith("proj_head.")), "the head layers are compared too");
    List<float[]> source = saved(teacherModel, "ema/", Checkpoints.latest(teacher).orElseThrow(), names);
    Path first = student.resolve("checkpoints/step-00000002");
    Path last = student.resolve("checkpoints/step-00000004");
    assertBitIdentical(source, saved(teacherModel, FrozenTeacher.PREFIX, first, names), names);
    assertBitIdentical(source, saved(teacherModel, FrozenTeacher.PREFIX, last, names), names);

    // ... while the student did change between the two checkpoints (weights and BN statistics).
    Config.Model studentModel = distillConfig().model();
    List<String> studentNames = List.of("backbone.conv1.weight", "backbone.classifier.weight", "backbone.bn5.running_mean");
    List<float[]> a = saved(studentModel, "", first, studentNames);
    List<float[]> b = saved(studentModel, "", last, studentNames);
    for (int i = 0; i < studentNames.size(); i++) {
      assertFalse(java.util.Arrays.equals(a.get(i), b.get(i)), studentNames.get(i) + " trains");
    }
  }

  @Test
  void teacherIsOutsideTheTrainableOptimizerAndEmaSets() {
    Config cfg = distillConfig();
    Distill algorithm = (Distill) AlgorithmRegistry.create(cfg, 4, 8, 16);
    try (TrainGraph g = new TrainGraph(cfg, algorithm, 8, 8, 1, 4)) {
      List<String> teacherOps = algorithm.teacher().variables().stream().map(e -> e.variable().op().name()).toList();
      assertTrue(teacherOps.stream().allMatch(n -> n.startsWith(FrozenTeacher.PREFIX)), teacherOps.toString());
      assertTrue(g.online.params().all().stream().noneMatch(e -> e.variable().op().name().startsWith("teacher")));
      List<String> ops = new ArrayList<>();
      g.graph.operations().forEachRemaining(op -> ops.add(op.name()));
      assertTrue(ops.contains("teacher/backbone.conv1.weight"));
      assertTrue(ops.stream().noneMatch(n -> n.startsWith("opt/teacher") || n.startsWith("ema/teacher")),
          "no optimizer slot or EMA shadow of a teacher variable");
      // In inference mode the teacher's BatchNorm reads its moving statistics and assigns nothing.
      g.graph.operations().forEachRemaining(op -> {
        GraphOperation o = (GraphOperation) op;
        if (o.type().startsWith("Assign") || o.type().startsWith("ApplyMomentum")) {
          String target = o.input(0).op().name();
          assertFalse(target.startsWith(FrozenTeacher.PREFIX) && !o.name().endsWith(".init") && isTrainingOp(o),
              o.name() + " writes teacher variable " + target);
        }
      });
    }
  }

  /** Assignments other than the initialiser and the one-off load from the teacher run's checkpoint. */
  private static boolean isTrainingOp(GraphOperation o) {
    return o.numInputs() < 2 || !o.input(1).op().type().equals("Placeholder");
  }

  @Test
  void lossIsTheTemperatureScaledCrossEntropyMixedWithTheLabeledLoss() {
    float t = 2f;
    float alpha = 0.25f;
    Config cfg = distillConfig("algorithm.distill_temperature=" + t, "algorithm.distill_alpha=" + alpha);
    Distill algorithm = (Distill) AlgorithmRegistry.create(cfg, 4, 8, 16);
    Random rng = new Random(5);
    int bx = 3;
    int bu = 5;
    float[] x = new float[bx * 64];
    float[] u = new float[bu * 64];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rng.nextGaussian();
    }
    for (int i = 0; i < u.length; i++) {
      u[i] = (float) rng.nextGaussian();
    }
    int[] y = {0, 3, 1};
    try (TrainGraph g = new TrainGraph(cfg, algorithm, 8, 8, 1, 4);
        Session s = new Session(g.graph)) {
      // Independent forwards: the teacher in inference mode, the student in training mode on [x; u].
      Params teacherParams = new Params(g.tf, "check/");
      Network teacherNet = Networks.create(teacherParams, "cnn-small", 4, 1, teacherConfig().model(), 1);
      List<org.tensorflow.op.Op> copies = new ArrayList<>();
      for (Params.Entry e : teacherParams.all()) {
        copies.add(g.tf.assign(e.variable(), g.graph.operation(FrozenTeacher.PREFIX + e.name() + "/read").<TFloat32>output(0)));
      }
      Operand<TFloat32> teacherLogits = teacherNet.forward(g.uWeak, false).logits();
      Operand<TFloat32> studentLogits =
          g.online.forward(g.tf.concat(List.of(g.x, g.uWeak), g.tf.constant(0)), true).logits();
      s.initialize();
      algorithm.initialize(s);
      Session.Runner copy = s.runner();
      copies.forEach(copy::addTarget);
      copy.run().close();
      try (TFloat32 xt = TFloat32.tensorOf(Shape.of(bx, 8, 8, 1), DataBuffers.of(x, true, false));
          TFloat32 ut = TFloat32.tensorOf(Shape.of(bu, 8, 8, 1), DataBuffers.of(u, true, false));
          TInt32 yt = TInt32.tensorOf(Shape.of(bx), DataBuffers.of(y, true, false));
          Result r = s.runner().feed(g.x, xt).feed(g.uWeak, ut).feed(g.y, yt)
              .fetch(g.loss).fetch(teacherLogits).fetch(studentLogits).run()) {
        float loss = ((TFloat32) r.get(0)).getFloat();
        float[][] te = rows((TFloat32) r.get(1), bu);
        float[][] st = rows((TFloat32) r.get(2), bx + bu);
        double kd = 0;
        for (int b = 0; b < bu; b++) {
          double[] p = softmax(te[b], t);
          double[] q = softmax(st[bx + b], t);
          for (int c = 0; c < 4; c++) {
            kd -= p[c] * Math.log(q[c]);
          }
        }
        kd = t * t * kd / bu;
        double ce = 0;
        for (int b = 0; b < bx; b++) {
          ce -= Math.log(softmax(st[b], 1)[y[b]]);
        }
        ce /= bx;
        double want = (1 - alpha) * ce + alpha * kd;
        assertEquals(want, loss, 1e-5 * Math.max(1, Math.abs(want)), "(1-alpha) CE + alpha T^2 mean CE(p_t, q_s)");
        assertTrue(kd > 0.01 && ce > 0.01, "both terms contribute");
      }
    }
  }

  private static float[][] rows(TFloat32 t, int n) {
    int c = (int) t.shape().get(1);
    float[] flat = new float[n * c];
    t.copyTo(DataBuffers.of(flat, false, false));
    float[][] out = new float[n][c];
    for (int i = 0; i < n; i++) {
      System.arraycopy(flat, i * c, out[i], 0, c);
    }
    return out;
  }

  private static double[] softmax(float[] logits, double temperature) {
    double max = Double.NEGATIVE_INFINITY;
    for (float l : logits) {
      max = Math.max(max, l / temperature);
    }
    double sum = 0;
    double[] e = new double[logits.length];
    for (int i = 0; i < logits.length; i++) {
      e[i] = Math.exp(logits[i] / temperature - max);
      sum += e[i];
    }
    for (int i = 0; i < e.length; i++) {
      e[i] /= sum;
    }
    return e;
  }

  @Test
  void aMissingOrIncompatibleTeacherIsReportedWithItsRunDirectory() throws IOException {
    Path nowhere = runs.resolve("no-such-run");
    UserInputException missing =
        assertThrows(UserInputException.class, () -> AlgorithmRegistry.create(distillConfig("algorithm.teacher_run=" + nowhere), 4, 8, 16));
    assertTrue(missing.getMessage().contains(nowhere.toString()) && missing.getMessage().contains("algorithm.teacher_run"),
        missing.getMessage());

    Config five = distillConfig();
    UserInputException classes = assertThrows(UserInputException.class,
        () -> new TrainGraph(five, AlgorithmRegistry.create(five, 5, 8, 16), 8, 8, 1, 5).close());
    assertTrue(classes.getMessage().contains(teacher.toString()) && classes.getMessage().contains("4 classes"),
        classes.getMessage());

    // A teacher whose config no longer matches its checkpoint: the variable it lacks is named.
    Path edited = runs.resolve("teacher-edited");
    copyTree(teacher, edited);
    Path yaml = edited.resolve("config.yaml");
    Files.writeString(yaml, Files.readString(yaml).replace("head: simclr", "head: simmatch")
        .replace("ft_proj_selector: 1", "ft_proj_selector: 0"));
    Config cfg = distillConfig("algorithm.teacher_run=" + edited);
    Distill algorithm = (Distill) AlgorithmRegistry.create(cfg, 4, 8, 16);
    try (TrainGraph g = new TrainGraph(cfg, algorithm, 8, 8, 1, 4);
        Session s = new Session(g.graph)) {
      s.initialize();
      UserInputException e = assertThrows(UserInputException.class, () -> algorithm.initialize(s));
      assertTrue(e.getMessage().contains(edited.toString()) && e.getMessage().contains("ema/mlp_proj"),
          e.getMessage());
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (var paths = Files.walk(from)) {
      for (Path p : paths.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }

  @Test
  void exportedStudentHasNoTeacherNorHeadAndPredictReproducesItsAccuracy() throws IOException {
    Path student = runs.resolve("student-export");
    TrainResult result = new Trainer(distillConfig(), student, false).run();
    Path models = runs.resolve("exported/student");
    assertEquals(0, Main.commandLine().execute("export", "--run-dir", student.toString(), "--out", models.toString(),
        "--checkpoint", "latest"));
    Path version = models.resolve("1");
    SavedModel sm;
    try (var in = Files.newInputStream(version.resolve("saved_model.pb"))) {
      sm = SavedModel.parseFrom(in);
    }
    List<String> nodes = sm.getMetaGraphs(0).getGraphDef().getNodeList().stream().map(NodeDef::getName).toList();
    assertTrue(nodes.contains("ema/backbone.classifier.weight"), "the student's EMA weights are served");
    for (String n : nodes) {
      assertFalse(n.contains("teacher"), "teacher op in the serving graph: " + n);
      assertFalse(n.contains("proj_head") || n.contains("mlp_proj"), "head op in the serving graph: " + n);
    }
    List<String> variables = sm.getMetaGraphs(0).getGraphDef().getNodeList().stream()
        .filter(n -> n.getOp().startsWith("Variable")).map(NodeDef::getName).toList();
    assertTrue(variables.contains("ema/backbone.conv1.weight"), variables.toString());
    assertTrue(variables.stream().allMatch(n -> n.startsWith("ema/backbone.")), "student variables only: " + variables);
    // Index keys are prefix-compressed; the first teacher key would still spell out "teacher".
    String index = new String(Files.readAllBytes(version.resolve("variables/variables.index")), StandardCharsets.ISO_8859_1);
    assertFalse(index.contains("teacher"), "no teacher tensor is saved with the model");

    // predict on the test images (as IDX) gives the run's final EMA top-1.
    Config cfg = distillConfig();
    Dataset test = Datasets.load(cfg.data()).test();
    Path images = Fixtures.write(runs.resolve("test-images-idx3-ubyte"),
        Fixtures.idx(new int[] {test.size(), test.height(), test.width()}, test.pixels()));
    byte[] labels = new byte[test.size()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = (byte) test.labels()[i];
    }
    Path labelFile = Fixtures.write(runs.resolve("test-labels-idx1-ubyte"), Fixtures.idx(new int[] {test.size()}, labels));
    CommandLine cl = Main.commandLine();
    StringWriter out = new StringWriter();
    cl.setOut(new PrintWriter(out));
    assertEquals(0, cl.execute("predict", "--model", version.toString(), "--labels", labelFile.toString(),
        "--top-k", "1", images.toString()));
    Matcher m = Pattern.compile("top-1 accuracy ([0-9.]+)%").matcher(out.toString());
    assertTrue(m.find(), out.toString());
    assertEquals(result.finalTop1Ema(), Double.parseDouble(m.group(1)), 0.006, out.toString());
  }
}

package dev.simmatch.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.simmatch.UserInputException;
import dev.simmatch.config.Config;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.exceptions.TFInvalidArgumentException;
import org.tensorflow.internal.c_api.TF_Buffer;
import org.tensorflow.internal.c_api.global.tensorflow;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.OpDef;
import org.tensorflow.proto.OpList;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;

class SavedModelExportTest {
  private static final int K = ExportFixture.CLASSES.size();
  private static final int N = 5;

  @TempDir static Path tmp;
  static Config cfg;
  static Path checkpoint;
  static Path emaModel;
  static Path rawModel;
  static byte[] batch;

  @BeforeAll
  static void exportTinyModel() throws IOException {
    cfg = ExportFixture.config(tmp.resolve("data"), ExportFixture.PROJ);
    checkpoint = ExportFixture.writeRun(cfg, tmp.resolve("run"), K);
    emaModel = export(tmp.resolve("models/ema"), true, null, false).dir();
    rawModel = export(tmp.resolve("models/raw"), false, null, false).dir();
    batch = ExportFixture.randomPixels(new Random(9), N, ExportFixture.H, ExportFixture.W, ExportFixture.C);
  }

  static SavedModelWriter.Exported export(Path modelDir, boolean ema, Long version, boolean force) {
    return ExportFixture.export(cfg, checkpoint, modelDir, ema, version, force);
  }

  static float[] normalised(byte[] px) {
    return ExportFixture.normalised(px);
  }

  /** Loads the model in a fresh JVM that runs only TensorFlow's loader; returns output name -> values. */
  static Map<String, double[]> runInSeparateJvm(Path model, byte[] pixels, int n, int c) throws Exception {
    Path input = Files.createTempFile(tmp, "batch", ".bin");
    Files.write(input, pixels);
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder pb = new ProcessBuilder(
        java.toString(), "-Xmx512m", "-cp", System.getProperty("java.class.path"), SavedModelProbe.class.getName(),
        "run", model.toString(), input.toString(), String.valueOf(n), String.valueOf(ExportFixture.H),
        String.valueOf(ExportFixture.W), String.valueOf(c));
    pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    pb.redirectErrorStream(true);
    Process p = pb.start();
    String out;
    try (InputStream in = p.getInputStream()) {
      out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe finished");
    assertEquals(0, p.exitValue(), out);
    Map<String, double[]> values = new HashMap<>();
    for (String line : out.split("\n")) {
      String[] f = line.trim().split(" ");
      if (List.of("logits", "probabilities", "classes", "embedding").contains(f[0])) {
        double[] v = new double[f.length - 1];
        for (int i = 1; i < f.length; i++) {
          v[i - 1] = Double.parseDouble(f[i]);
        }
        values.put(f[0], v);
      }
    }
    assertEquals(4, values.size(), "four outputs in:\n" + out);
    return values;
  }

  static double maxError(double[] got, float[] want) {
    assertEquals(want.length, got.length);
    double e = 0;
    for (int i = 0; i < got.length; i++) {
      e = Math.max(e, Math.abs(got[i] - want[i]));
    }
    return e;
  }

  /** Compares served outputs with the in-process forward of the same weights; returns the logits. */
  static float[] assertMatchesReference(Map<String, double[]> served, boolean ema, float[] input) {
    float[][] ref = ExportFixture.reference(cfg, checkpoint, ema, input, N, K);
    assertTrue(maxError(served.get("logits"), ref[0]) <= 1e-5, "logits error " + maxError(served.get("logits"), ref[0]));
    assertTrue(maxError(served.get("embedding"), ref[1]) <= 1e-5, "embedding error");
    double[] probs = ExportFixture.softmax(ref[0], K);
    float[] p = new float[probs.length];
    for (int i = 0; i < p.length; i++) {
      p[i] = (float) probs[i];
    }
    assertTrue(maxError(served.get("probabilities"), p) <= 1e-5, "probabilities error");
    int[] cls = ExportFixture.argmax(ref[0], K);
    for (int i = 0; i < N; i++) {
      assertEquals(cls[i], (int) served.get("classes")[i], "class of image " + i);
    }
    return ref[0];
  }

  @Test
  void separateJvmReproducesTheInProcessForwardOfEmaAndRawWeights() throws Exception {
    float[] ema = assertMatchesReference(runInSeparateJvm(emaModel, batch, N, 1), true, normalised(batch));
    float[] raw = assertMatchesReference(runInSeparateJvm(rawModel, batch, N, 1), false, normalised(batch));
    double diff = 0;
    for (int i = 0; i < ema.length; i++) {
      diff = Math.max(diff, Math.abs(ema[i] - raw[i]));
    }
    assertTrue(diff > 1e-3, "EMA and raw exports hold different weights (max logit difference " + diff + ")");
  }

  @Test
  void graphConvertsRgbInputToGrayWithLuma() throws Exception {
    byte[] rgb = ExportFixture.randomPixels(new Random(4), N, ExportFixture.H, ExportFixture.W, 3);
    float[] gray = new float[rgb.length / 3];
    for (int i = 0; i < gray.length; i++) {
      float y = 0;
      for (int ch = 0; ch < 3; ch++) {
        y += (rgb[3 * i + ch] & 0xff) / 255f * ServingGraph.LUMA[ch];
      }
      gray[i] = (y - ExportFixture.MEAN) / ExportFixture.STD;
    }
    assertMatchesReference(runInSeparateJvm(emaModel, rgb, N, 3), true, gray);
  }

  @Test
  void wrongChannelCountFailsNamingTheExpectedShape() {
    try (ServedModel m = ServedModel.load(emaModel)) {
      byte[] two = new byte[N * ExportFixture.H * ExportFixture.W * 2];
      TFInvalidArgumentException e = assertThrows(TFInvalidArgumentException.class, () -> m.run(two, N, 2));
      assertTrue(e.getMessage().contains("expected uint8 images [N,8,8,1 or 3]"), e.getMessage());
    }
  }

  static MetaGraphDef metaGraph(Path model) throws IOException {
    try (InputStream in = Files.newInputStream(model.resolve("saved_model.pb"))) {
      SavedModel sm = SavedModel.parseFrom(in);
      assertEquals(1, sm.getMetaGraphsCount());
      return sm.getMetaGraphs(0);
    }
  }

  static Set<String> registeredOps() throws IOException {
    TF_Buffer buf = tensorflow.TF_GetAllOpList();
    try {
      return OpList.parseFrom(buf.dataAsByteBuffer()).getOpList().stream().map(OpDef::getName).collect(Collectors.toSet());
    } finally {
      tensorflow.TF_DeleteBuffer(buf);
    }
  }

  /** Inference, the SavedModel saver (SaveV2/RestoreV2, the Assigns that restore, ZerosLike) and constants. */
  static final Set<String> ALLOWED = Set.of(
      "Placeholder", "Const", "Identity", "NoOp", "VariableV2", "SaveV2", "RestoreV2", "Assign", "ZerosLike",
      "Cast", "Div", "Sub", "Mul", "Shape", "Slice", "Reshape", "Equal", "LogicalOr", "LogicalAnd", "All", "Assert",
      "SelectV2", "Sum",
      "EnsureShape",
      "Conv2D", "FusedBatchNormV3", "LeakyRelu", "MaxPool", "Mean", "MatMul", "Add", "Relu", "Square", "Rsqrt",
      "Sqrt", "Maximum", "Softmax", "ArgMax");

  @Test
  void savedGraphHoldsOnlyStandardInferenceOps() throws IOException {
    MetaGraphDef mg = metaGraph(emaModel);
    Set<String> registered = registeredOps();
    Map<String, NodeDef> byName = new HashMap<>();
    mg.getGraphDef().getNodeList().forEach(n -> byName.put(n.getName(), n));
    Set<String> types = new HashSet<>();
    int variables = 0;
    for (NodeDef n : mg.getGraphDef().getNodeList()) {
      types.add(n.getOp());
      assertTrue(registered.contains(n.getOp()), n.getOp() + " is a registered TensorFlow op");
      if (n.getOp().startsWith("FusedBatchNorm")) {
        assertFalse(n.getAttrOrThrow("is_training").getB(), n.getName() + " runs BatchNorm in inference mode");
      }
      if (n.getOp().equals("VariableV2")) {
        variables++;
        assertTrue(n.getName().startsWith("ema/"), "only EMA weights: " + n.getName());
      }
      if (n.getOp().equals("Assign")) {
        // the saver's restore is the only writer
        NodeDef value = byName.get(GraphPruning.nodeName(n.getInput(1)));
        assertEquals("RestoreV2", value.getOp(), n.getName() + " assigns " + value.getName());
      }
      for (String bad : List.of("bank", "momentum", "global_step", "Init")) {
        assertFalse(n.getName().contains(bad), "training or init node " + n.getName());
      }
    }
    assertTrue(ALLOWED.containsAll(types), "unexpected op types " + types.stream().filter(t -> !ALLOWED.contains(t)).toList());
    for (String needed : List.of("Conv2D", "FusedBatchNormV3", "Softmax", "ArgMax", "RestoreV2")) {
      assertTrue(types.contains(needed), needed + " present");
    }
    assertEquals(countParams(), variables, "one variable per network parameter");
  }

  private static int countParams() {
    try (ServingGraph g = new ServingGraph(cfg.model(), ExportFixture.spec(), true)) {
      return g.network.params().all().size();
    }
  }

  private static void assertTensor(TensorInfo t, DataType type, long... dims) {
    assertEquals(type, t.getDtype());
    TensorShapeProto s = t.getTensorShape();
    assertEquals(dims.length, s.getDimCount());
    for (int i = 0; i < dims.length; i++) {
      assertEquals(dims[i], s.getDim(i).getSize(), "dimension " + i);
    }
  }

  @Test
  void signatureTagsAndClassNameAsset() throws IOException {
    MetaGraphDef mg = metaGraph(emaModel);
    assertEquals(List.of("serve"), mg.getMetaInfoDef().getTagsList());
    assertEquals(Set.of("serving_default"), mg.getSignatureDefMap().keySet());
    SignatureDef sig = mg.getSignatureDefOrThrow("serving_default");
    assertEquals("tensorflow/serving/predict", sig.getMethodName());
    assertEquals(Set.of("images"), sig.getInputsMap().keySet());
    assertTensor(sig.getInputsOrThrow("images"), DataType.DT_UINT8, -1, 8, 8, -1);
    assertEquals(Set.of("probabilities", "logits", "classes", "embedding"), sig.getOutputsMap().keySet());
    assertTensor(sig.getOutputsOrThrow("probabilities"), DataType.DT_FLOAT, -1, K);
    assertTensor(sig.getOutputsOrThrow("logits"), DataType.DT_FLOAT, -1, K);
    assertTensor(sig.getOutputsOrThrow("classes"), DataType.DT_INT64, -1);
    assertTensor(sig.getOutputsOrThrow("embedding"), DataType.DT_FLOAT, -1, ExportFixture.PROJ);

    assertEquals(1, mg.getAssetFileDefCount());
    assertEquals("classes.txt", mg.getAssetFileDef(0).getFilename());
    assertEquals("bird\ncat\ndog\n", Files.readString(emaModel.resolve("assets/classes.txt")));
    assertTrue(Files.isRegularFile(emaModel.resolve("variables/variables.index")), "weights saved as variables");
    assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(emaModel)),
        "a server running as another user can read the version");
    try (ServedModel m = ServedModel.load(emaModel)) {
      assertEquals(ExportFixture.CLASSES, m.classNames());
      assertEquals(List.of(8, 8, 1), List.of(m.height(), m.width(), m.channels()));
    }
  }

  @Test
  void versionsCountUpAndAreNeverOverwrittenWithoutForce() throws IOException {
    Path dir = tmp.resolve("models/versions");
    assertEquals(1, export(dir, true, null, false).version());
    assertEquals(2, export(dir, true, null, false).version());
    Path index = dir.resolve("2/variables/variables.index");
    Files.writeString(dir.resolve("2/marker"), "old");
    UserInputException e = assertThrows(UserInputException.class, () -> export(dir, false, 2L, false));
    assertTrue(e.getMessage().contains("--force") && e.getMessage().contains(dir.resolve("2").toString()), e.getMessage());
    assertTrue(Files.exists(dir.resolve("2/marker")), "refused export left version 2 alone");
    assertEquals(2, export(dir, false, 2L, true).version());
    assertFalse(Files.exists(dir.resolve("2/marker")), "forced export replaced version 2");
    assertTrue(Files.isRegularFile(index));
    assertThrows(UserInputException.class, () -> export(dir, true, 0L, false));
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(List.of("1", "2"), s.map(p -> p.getFileName().toString()).sorted().toList(), "no temporary leftovers");
    }
  }
}

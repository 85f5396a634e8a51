package dev.simmatch.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.simmatch.UserInputException;
import dev.simmatch.algorithms.AlgorithmRegistry;
import dev.simmatch.config.Config;
import dev.simmatch.config.Precision;
import dev.simmatch.data.Dataset;
import dev.simmatch.data.Datasets;
import dev.simmatch.data.Normalizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Session;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;

/**
 * train.precision=bfloat16 is mixed precision: convolutions and matrix products of the networks in
 * bfloat16, everything stateful and every loss in float32; float32 (the default) leaves the graph
 * without a single bfloat16 tensor. The CPU flags are chosen here, so the bfloat16 runs also happen
 * on machines without native bfloat16 (TensorFlow then emulates it, slowly but correctly).
 */
class MixedPrecisionTest {
  private static final Set<String> BF16_CPU = Set.of("avx512f", "avx512_bf16");
  private static final Set<String> PLAIN_CPU = Set.of("avx2");

  @TempDir static Path data;
  @TempDir Path runs;

  @BeforeAll
  static void writeData() {
    TinyData.write(data, 4, 6, 3, 7);
  }

  private static Config config(String... extra) {
    return TrainerTest.config(data, extra);
  }

  private static GraphDef graphDef(Config cfg, Precision precision) {
    try (TrainGraph g = new TrainGraph(cfg, AlgorithmRegistry.create(cfg, 3, 8, cfg.model().projDim()), 6, 6, 3, 3,
        precision)) {
      return g.graph.toGraphDef();
    }
  }

  /** The type attribute of a node: T for math ops, dtype for variables, DstT for casts. */
  private static DataType type(NodeDef n) {
    for (String key : List.of("T", "dtype", "DstT")) {
      AttrValue v = n.getAttrMap().get(key);
      if (v != null) {
        return v.getType();
      }
    }
    return DataType.DT_INVALID;
  }

  private static boolean mentionsBfloat16(NodeDef n) {
    return n.getAttrMap().values().stream().anyMatch(v -> v.getType() == DataType.DT_BFLOAT16
        || v.getList().getTypeList().contains(DataType.DT_BFLOAT16));
  }

  private static Map<String, Integer> opCounts(GraphDef g) {
    Map<String, Integer> counts = new HashMap<>();
    g.getNodeList().forEach(n -> counts.merge(n.getOp(), 1, Integer::sum));
    return counts;
  }

  @Test
  void float32IsTheDefaultAndItsGraphHasNoBfloat16() {
    Config cfg = config();
    assertEquals("float32", cfg.train().precision());
    GraphDef byDefault = graphDef(cfg, Precision.resolve(cfg.train().precision(), BF16_CPU).precision());
    assertEquals(graphDef(cfg, Precision.FLOAT32), byDefault);
    List<String> bf16 = byDefault.getNodeList().stream().filter(MixedPrecisionTest::mentionsBfloat16)
        .map(NodeDef::getName).toList();
    assertTrue(bf16.isEmpty(), "bfloat16 in a float32 graph: " + bf16);
  }

  @Test
  void bfloat16GraphRunsConvolutionsAndMatmulsInBfloat16AndKeepsStateInFloat32() {
    Config cfg = config();
    GraphDef f32 = graphDef(cfg, Precision.FLOAT32);
    GraphDef mixed = graphDef(cfg, Precision.BFLOAT16);
    Map<String, Integer> before = opCounts(f32);
    Map<String, Integer> after = opCounts(mixed);
    int bankMatmuls = 0;
    int floatConvs = 0;
    for (NodeDef n : mixed.getNodeList()) {
      switch (n.getOp()) {
        case "Conv2D" -> {
          // Odd input-channel counts (the RGB stem) stay float32: see Conv2d.
          long in = kernelInputChannels(mixed, n);
          assertEquals(in % 2 == 0 ? DataType.DT_BFLOAT16 : DataType.DT_FLOAT, type(n), n.getName() + ", " + in + " input channels");
          floatConvs += in % 2 == 0 ? 0 : 1;
        }
        case "MatMul" -> {
          // Forward products: the networks' linear layers read a cast weight; SimMatch's similarities to
          // the bank stay float32.
          if (!n.getName().startsWith("Gradients")) {
            boolean network = n.getInput(1).startsWith("Cast");
            assertEquals(network ? DataType.DT_BFLOAT16 : DataType.DT_FLOAT, type(n), n.getName());
            bankMatmuls += network ? 0 : 1;
          }
        }
        case "VariableV2", "Assign", "ApplyMomentum", "FusedBatchNormV3", "SoftmaxCrossEntropyWithLogits", "Softmax",
            "LeakyRelu", "Mean" -> assertFalse(type(n) == DataType.DT_BFLOAT16, n.getName() + " " + n.getOp());
        default -> { }
      }
    }
    assertTrue(bankMatmuls > 0, "SimMatch's similarity to the bank is a float32 MatMul");
    for (String op : List.of("Conv2D", "MatMul", "VariableV2", "FusedBatchNormV3", "ApplyMomentum", "LeakyRelu")) {
      assertEquals(before.get(op), after.get(op), op + ": the same ops, only their types differ");
    }
    assertTrue(after.get("Cast") > before.getOrDefault("Cast", 0));
    assertTrue(after.get("Conv2DBackpropFilter") > 0);
    assertTrue(floatConvs > 0 && floatConvs < after.get("Conv2D"), "the 3-channel stem stays float32, the rest do not");
    int floatBackprops = 0;
    for (NodeDef n : mixed.getNodeList()) {
      if (n.getOp().equals("Conv2DBackpropFilter") || n.getOp().equals("Conv2DBackpropInput")) {
        floatBackprops += type(n) == DataType.DT_FLOAT ? 1 : 0;
      }
    }
    assertTrue(floatBackprops <= 2 * floatConvs, "only the float32 convolutions' gradients stay float32: " + floatBackprops);
  }

  /** The in-channel size of a Conv2D's kernel variable, found through the Identity/Cast that read it. */
  private static long kernelInputChannels(GraphDef graph, NodeDef conv) {
    Map<String, NodeDef> byName = new HashMap<>();
    graph.getNodeList().forEach(n -> byName.put(n.getName(), n));
    NodeDef n = byName.get(conv.getInput(1).split(":")[0]);
    while (n.getOp().equals("Identity") || n.getOp().equals("Cast")) {
      n = byName.get(n.getInput(0).split(":")[0]);
    }
    assertEquals("VariableV2", n.getOp(), conv.getName() + " reads its kernel from a variable");
    return n.getAttrMap().get("shape").getShape().getDim(2).getSize();
  }

  @Test
  void bfloat16RunTrainsResumesExactlyAndRecordsItsPrecision() throws IOException {
    Config cfg = config("train.precision=bfloat16");
    Path straight = runs.resolve("straight");
    TrainResult a = new Trainer(cfg, straight, false, null, BF16_CPU).run();
    assertEquals("bfloat16", a.precision());
    assertTrue(a.precisionReason().contains("avx512_bf16"), a.precisionReason());

    Path interrupted = runs.resolve("interrupted");
    assertThrows(IllegalStateException.class,
        () -> new Trainer(cfg, interrupted, false, null, BF16_CPU).listen(new TrainerTest.CrashAfter(5)).run());
    TrainResult b = new Trainer(cfg, interrupted, true, null, BF16_CPU).run();
    assertEquals(6, b.steps());
    byte[] want = Files.readAllBytes(straight.resolve("checkpoints/step-00000006/ckpt.data-00000-of-00001"));
    byte[] got = Files.readAllBytes(interrupted.resolve("checkpoints/step-00000006/ckpt.data-00000-of-00001"));
    assertArrayEquals(want, got, "weights, EMA, slots, bank, DA queue after resuming in bfloat16");

    // eval (EvalGraph) in the run's precision reproduces the trainer's own last evaluation.
    Dataset test = Datasets.load(cfg.data()).test();
    try (EvalGraph g = new EvalGraph(cfg, test.height(), test.width(), test.channels(), test.numClasses(),
            Precision.BFLOAT16);
        Session s = new Session(g.graph)) {
      Checkpoints.restore(s, Checkpoints.latest(straight).orElseThrow());
      EvalResult r = g.evaluator().evaluate(s, test, Normalizer.forConfig(cfg.data(), test.channels()),
          cfg.train().evalBatchSize(), 6);
      assertEquals(a.finalTop1Ema(), r.top1Ema());
      assertEquals(a.finalTop1Raw(), r.top1Raw());
    }

    JsonNode json = new ObjectMapper().readTree(straight.resolve("result.json").toFile());
    assertEquals("bfloat16", json.get("precision").asText());
    assertEquals("train.precision: bfloat16; CPU reports avx512_bf16", json.get("precision_reason").asText());
    List<String> csv = Files.readAllLines(straight.resolve("metrics.csv"));
    for (String loss : List.of("loss", "loss_x", "loss_u", "loss_in")) {
      assertTrue(Double.isFinite(column(csv, loss)), loss + " in " + csv);
    }
  }

  @Test
  void bfloat16StepsMoveTheWeightsLikeFloat32Steps() throws IOException {
    Config sup = config("algorithm.name=supervised", "train.steps=3", "train.eval_every=3");
    TrainResult f32 = new Trainer(sup, runs.resolve("f32"), false, null, BF16_CPU).run();
    TrainResult mixed = new Trainer(config("algorithm.name=supervised", "train.steps=3", "train.eval_every=3",
        "train.precision=bfloat16"), runs.resolve("bf16"), false, null, BF16_CPU).run();
    assertEquals("float32", f32.precision());
    List<String> a = Files.readAllLines(runs.resolve("f32/metrics.csv"));
    List<String> b = Files.readAllLines(runs.resolve("bf16/metrics.csv"));
    double lossF32 = column(a, "loss");
    double lossBf16 = column(b, "loss");
    assertTrue(Double.isFinite(lossBf16));
    // bfloat16 keeps 8 significant bits: the mean loss of 3 steps agrees to a few percent, not exactly.
    assertEquals(lossF32, lossBf16, 0.05 * Math.abs(lossF32), a + " vs " + b);
    assertFalse(lossF32 == lossBf16, "the convolutions did run in another precision");
  }

  @ParameterizedTest
  @ValueSource(strings = {"supervised", "fixmatch", "simmatch", "remixmatch", "simclr"})
  void everyAlgorithmTrainsInBfloat16(String algorithm) {
    List<String> sets = new ArrayList<>(List.of("algorithm.name=" + algorithm, "train.steps=2", "train.eval_every=2",
        "train.precision=bfloat16"));
    if (algorithm.equals("simclr")) {
      // SimCLR's head (Dense+BatchNorm1d layers) and views, with the LARS optimizer of its config.
      sets.addAll(List.of("model.head=simclr", "data.strong=simclr", "train.optimizer=lars"));
    }
    TrainResult r = new Trainer(config(sets.toArray(String[]::new)), runs.resolve(algorithm), false, null, BF16_CPU)
        .run();
    assertEquals("bfloat16", r.precision());
    assertEquals(2, r.steps());
    assertTrue(Double.isFinite(r.finalTop1Ema()));
  }

  private static double column(List<String> csv, String name) {
    List<String> header = List.of(csv.get(0).split(","));
    return Double.parseDouble(csv.get(1).split(",")[header.indexOf(name)]);
  }

  @Test
  void bfloat16OnACpuWithoutTheFlagsIsRefusedBeforeAnythingIsWritten() {
    Path run = runs.resolve("refused");
    UserInputException e = assertThrows(UserInputException.class,
        () -> new Trainer(config("train.precision=bfloat16"), run, false, null, PLAIN_CPU).run());
    assertTrue(e.getMessage().contains("train.precision"), e.getMessage());
    assertFalse(Files.exists(run.resolve("checkpoints")));
    TrainResult auto = new Trainer(config("train.precision=auto", "train.steps=3", "algorithm.name=supervised"),
        runs.resolve("auto"), false, null, PLAIN_CPU).run();
    assertEquals("float32", auto.precision());
    assertTrue(auto.precisionReason().contains("auto"), auto.precisionReason());
  }
}

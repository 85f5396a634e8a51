package dev.simmatch.model;

import static dev.simmatch.selfsup.SelfsupVectors.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.simmatch.GraphTester;
import dev.simmatch.selfsup.SelfsupVectors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.types.TFloat32;

/** The SimCLR projection head against the proj-head reference vectors (training and inference mode). */
class SimclrHeadTest {
  static Stream<Path> files() {
    return SelfsupVectors.files("proj-head").stream();
  }

  @ParameterizedTest
  @MethodSource("files")
  void matchesReference(Path file) {
    JsonNode v = SelfsupVectors.read(file);
    JsonNode in = v.get("inputs");
    JsonNode out = v.get("outputs");
    int d = v.get("dims").get("in_dim").asInt();
    int p = v.get("dims").get("proj_out_dim").asInt();
    int layers = v.get("dims").get("num_proj_layers").asInt();
    float decay = (float) v.get("config").get("batch_norm_decay").asDouble();
    try (GraphTester g = new GraphTester()) {
      Params params = new Params(g.tf, "");
      SimclrHead head = new SimclrHead(params, 0, d, p, layers, decay);
      Operand<TFloat32> h = g.tf.constant(SelfsupVectors.tensor(in.get("h")));
      List<Op> updates = new ArrayList<>();
      SimclrHead.Layers train = head.apply(h, true, updates);
      SimclrHead.Layers eval = head.apply(h, false, new ArrayList<>());
      // Load the file's weights and moving statistics into the head's variables.
      List<Op> loads = new ArrayList<>();
      for (int j = 0; j < layers; j++) {
        load(g, params, loads, "proj_head." + j + ".dense.weight", in.get("kernel_" + j));
        load(g, params, loads, "proj_head." + j + ".bn.weight", in.get("gamma_" + j));
        if (j < layers - 1) {
          load(g, params, loads, "proj_head." + j + ".bn.bias", in.get("beta_" + j));
        }
        load(g, params, loads, "proj_head." + j + ".bn.running_mean", in.get("moving_mean_" + j));
        load(g, params, loads, "proj_head." + j + ".bn.running_var", in.get("moving_variance_" + j));
      }
      assertEquals(layers - 1, params.all().stream().filter(e -> e.name().endsWith(".bn.bias")).count(),
          "the last layer's BatchNorm has no beta");
      g.run(loads);
      Operand<TFloat32> probeLoss = g.tf.reduceSum(
          g.tf.math.mul(g.tf.constant(SelfsupVectors.tensor(in.get("probe"))), train.output()),
          g.tf.constant(new int[] {0, 1}));
      List<String> gradNames = new ArrayList<>(List.of("h"));
      List<Operand<TFloat32>> xs = new ArrayList<>(List.of(h));
      for (int j = 0; j < layers; j++) {
        gradNames.add("kernel_" + j);
        xs.add(params.read("proj_head." + j + ".dense.weight"));
        gradNames.add("gamma_" + j);
        xs.add(params.read("proj_head." + j + ".bn.weight"));
        if (j < layers - 1) {
          gradNames.add("beta_" + j);
          xs.add(params.read("proj_head." + j + ".bn.bias"));
        }
      }
      Gradients grads = g.tf.gradients(probeLoss, xs);
      Map<String, Operand<TFloat32>> checks = new LinkedHashMap<>();
      for (int j = 0; j < layers; j++) {
        checks.put("dense_" + j, train.dense().get(j));
        checks.put("bn_" + j, train.bn().get(j));
        checks.put("layer_" + j, train.hiddens().get(j + 1));
        checks.put("batch_mean_" + j, train.batchMean().get(j));
        checks.put("batch_var_" + j, train.batchVar().get(j));
        checks.put("eval_layer_" + j, eval.hiddens().get(j + 1));
      }
      checks.put("proj_head_output", train.output());
      checks.put("probe_loss", probeLoss);
      for (int i = 0; i < xs.size(); i++) {
        checks.put("grad_" + gradNames.get(i), grads.dy(i));
      }
      for (Map.Entry<String, Operand<TFloat32>> c : checks.entrySet()) {
        assertClose(file.getFileName() + " " + c.getKey(), out.get(c.getKey()), g.floats(c.getValue()));
      }
      JsonNode selector = out.get("ft_proj_selector");
      for (int k = 0; k < layers; k++) {
        assertClose("ft_proj_selector " + k, selector.get(String.valueOf(k)), g.floats(train.hiddens().get(k)));
      }
      assertClose("ft_proj_selector -1", selector.get("-1"), g.floats(train.output()));
      g.run(updates);
      for (int j = 0; j < layers; j++) {
        assertClose("moving_mean_after_" + j, out.get("moving_mean_after_" + j),
            g.floats(params.read("proj_head." + j + ".bn.running_mean")));
        assertClose("moving_variance_after_" + j, out.get("moving_variance_after_" + j),
            g.floats(params.read("proj_head." + j + ".bn.running_var")));
      }
    }
  }

  private static void load(GraphTester g, Params params, List<Op> loads, String name, JsonNode value) {
    loads.add(g.tf.assign(params.entry(name).variable(), g.tf.constant(SelfsupVectors.tensor(value))));
  }

  @Test
  void rejectsAHeadWithoutLayers() {
    try (GraphTester g = new GraphTester()) {
      assertThrows(IllegalArgumentException.class, () -> new SimclrHead(new Params(g.tf, ""), 0, 4, 4, 0, 0.9f));
    }
  }
}

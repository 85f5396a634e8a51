package dev.simmatch.train;

import static dev.simmatch.selfsup.SelfsupVectors.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.simmatch.GraphTester;
import dev.simmatch.UserInputException;
import dev.simmatch.model.Params;
import dev.simmatch.selfsup.SelfsupVectors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/** LARS against the lars reference vectors: two steps, official exclusions by variable name. */
class LarsTest {
  static Stream<Path> files() {
    return SelfsupVectors.files("lars").stream();
  }

  @ParameterizedTest
  @MethodSource("files")
  void twoStepsMatchReference(Path file) {
    JsonNode v = SelfsupVectors.read(file);
    JsonNode cfg = v.get("config");
    JsonNode in = v.get("inputs");
    List<String> names = new ArrayList<>();
    in.get("params").fieldNames().forEachRemaining(names::add);
    List<String> regexes = new ArrayList<>();
    cfg.get("exclude_from_weight_decay").forEach(n -> regexes.add(n.asText()));
    try (GraphTester g = new GraphTester()) {
      Params params = new Params(g.tf, "");
      List<Operand<TFloat32>> grads = new ArrayList<>();
      List<Placeholder<TFloat32>> feeds = new ArrayList<>();
      for (String n : names) {
        params.create(n, Params.Kind.WEIGHT, Params.Layout.SAME, g.tf.constant(SelfsupVectors.tensor(in.get("params").get(n))));
        Placeholder<TFloat32> p = g.tf.placeholder(TFloat32.class);
        feeds.add(p);
        grads.add(p);
      }
      Placeholder<TFloat32> lr = g.tf.placeholder(TFloat32.class);
      Lars.Step step = Lars.apply(g.tf, params.all(), grads, lr, cfg.get("momentum").asDouble(),
          cfg.get("weight_decay").asDouble(), cfg.get("eeta").asDouble(), Lars.patterns("exclude", regexes));
      // Slots start at zero, as inputs.momentum says.
      for (String n : names) {
        assertTrue(java.util.Arrays.stream(SelfsupVectors.values(in.get("momentum").get(n))).allMatch(x -> x == 0));
      }
      Session s = g.session();
      for (int k = 0; k < v.get("dims").get("steps").asInt(); k++) {
        JsonNode gradsK = in.get("grads_per_step").get(k);
        JsonNode want = v.get("outputs").get("after_step").get(k);
        List<Tensor> tensors = new ArrayList<>();
        try {
          Session.Runner r = s.runner();
          for (int i = 0; i < names.size(); i++) {
            TFloat32 t = SelfsupVectors.tensor(gradsK.get(names.get(i)));
            tensors.add(t);
            r.feed(feeds.get(i), t);
          }
          TFloat32 rate = TFloat32.scalarOf((float) cfg.get("lr_per_step").get(k).asDouble());
          tensors.add(rate);
          r.feed(lr, rate);
          step.trustRatios().forEach(r::fetch);
          step.gradsWithDecay().forEach(r::fetch);
          try (Result res = r.run()) {
            for (int i = 0; i < names.size(); i++) {
              String n = names.get(i);
              assertClose(file.getFileName() + " step " + k + " trust " + n, want.get("trust_ratio").get(n), values(res.get(i)));
              assertClose(file.getFileName() + " step " + k + " g+wd*w " + n, want.get("grad_with_wd").get(n),
                  values(res.get(names.size() + i)));
            }
          }
          Session.Runner apply = s.runner();
          for (int i = 0; i < names.size(); i++) {
            apply.feed(feeds.get(i), (TFloat32) tensors.get(i));
          }
          apply.feed(lr, rate);
          step.updates().forEach(apply::addTarget);
          apply.run().close();
        } finally {
          tensors.forEach(Tensor::close);
        }
        for (String n : names) {
          assertClose(file.getFileName() + " step " + k + " param " + n, want.get("params").get(n), g.floats(params.read(n)));
          assertClose(file.getFileName() + " step " + k + " momentum " + n, want.get("momentum").get(n),
              g.floats(g.tf.identity(g.graph.<TFloat32>operation("opt/" + n + "/momentum").output(0))));
        }
      }
    }
  }

  private static float[] values(Tensor t) {
    TFloat32 f = (TFloat32) t;
    float[] out = new float[Math.toIntExact(f.shape().size())];
    f.copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(out, false, false));
    return out;
  }

  @Test
  void defaultExclusionsCoverBatchNormBiasAndClassifier() {
    List<Pattern> p = Lars.patterns("train.lars_exclude", dev.simmatch.config.ConfigLoader.defaults().train().larsExclude());
    for (String n : List.of("backbone.bn1.weight", "backbone.bn1.bias", "proj_head.0.bn.weight",
        "backbone.classifier.weight", "backbone.fc.weight", "block1.layer.0.bn2.bias")) {
      assertTrue(Lars.excluded(n, p), n);
    }
    for (String n : List.of("backbone.conv1.weight", "proj_head.0.dense.weight", "mlp_proj.0.weight")) {
      assertFalse(Lars.excluded(n, p), n);
    }
  }

  @Test
  void badPatternNamesTheKey() {
    UserInputException e = assertThrows(UserInputException.class, () -> Lars.patterns("train.lars_exclude", List.of("(")));
    assertTrue(e.getMessage().contains("train.lars_exclude"));
    assertEquals(0, Lars.patterns("k", null).size());
  }
}

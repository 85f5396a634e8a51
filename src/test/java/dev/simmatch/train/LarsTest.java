package dev.simmatch.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.simmatch.UserInputException;
import dev.simmatch.config.Config;
import dev.simmatch.config.ConfigLoader;
import dev.simmatch.model.Params;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.junit.jupiter.api.Test;

/** LARS exclusions as configured (its numbers are checked by the lars vector family). */
class LarsTest {
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

  /**
   * One step from zero momentum, against the closed forms: the classifier kernel is excluded but
   * decayed (official head_supervised: wd w through the loss, no trust ratio), its bias is plain
   * momentum SGD, a convolution gets decay and the trust ratio.
   */
  @Test
  void classifierKernelIsDecayedWithoutTrustRatioAndOthersAsTheNoteSays() {
    float lr = 0.5f;
    float wd = 0.1f;
    float eeta = 0.001f;
    float[] w = {0.3f, -0.4f, 1.2f, 0.5f};
    float[] g = {0.2f, 0.1f, -0.3f, 0.4f};
    List<String> names = List.of("backbone.classifier.weight", "backbone.classifier.bias", "backbone.conv1.weight");
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Params params = new Params(tf, "");
      List<Operand<TFloat32>> grads = new ArrayList<>();
      for (String n : names) {
        params.create(n, Params.Kind.WEIGHT, Params.Layout.SAME, tf.constant(w));
        grads.add(tf.constant(g));
      }
      Config.Train t = ConfigLoader.defaults().train();
      Lars.Step step = Lars.apply(tf, params.all(), grads, tf.constant(lr), 0.9, wd, eeta,
          Lars.patterns("train.lars_exclude", t.larsExclude()), Lars.patterns("train.lars_plain_decay", t.larsPlainDecay()));
      try (Session s = new Session(graph)) {
        s.initialize();
        Session.Runner r = s.runner();
        step.updates().forEach(r::addTarget);
        r.run().close();
        double wn = 0;
        double gn = 0;
        for (int i = 0; i < w.length; i++) {
          wn += w[i] * w[i];
          gn += (g[i] + wd * w[i]) * (g[i] + wd * w[i]);
        }
        double trust = eeta * Math.sqrt(wn) / Math.sqrt(gn);
        float[][] want = new float[3][w.length];
        for (int i = 0; i < w.length; i++) {
          want[0][i] = (float) (w[i] - lr * (g[i] + wd * w[i]));
          want[1][i] = w[i] - lr * g[i];
          want[2][i] = (float) (w[i] - lr * trust * (g[i] + wd * w[i]));
        }
        for (int k = 0; k < names.size(); k++) {
          try (Result res = s.runner().fetch(params.read(names.get(k))).run()) {
            float[] got = new float[w.length];
            ((TFloat32) res.get(0)).copyTo(DataBuffers.of(got, false, false));
            for (int i = 0; i < w.length; i++) {
              assertEquals(want[k][i], got[i], 1e-6, names.get(k) + "[" + i + "]");
            }
          }
        }
      }
    }
  }

  /**
   * The SimCLRv2 stage configs follow notes/selfsup.md: fine-tuning with wd 0 and the official
   * exclusions (BN, bias, classifier), distillation with the colab's (BN and bias only, so the
   * student's classifier kernel gets LARS and wd 1e-4).
   */
  @Test
  void simclrv2StageConfigsUseTheNotesExclusions() {
    for (String labels : List.of("40", "250")) {
      Config.Train ft = ConfigLoader.load(Path.of("configs/simclrv2/finetune-fashion-mnist-" + labels + ".yaml"),
          List.of()).train();
      assertEquals("lars", ft.optimizer());
      assertEquals(0.0, ft.weightDecay());
      List<Pattern> ex = Lars.patterns("train.lars_exclude", ft.larsExclude());
      assertTrue(Lars.excluded("backbone.classifier.weight", ex) && Lars.excluded("proj_head.0.bn.weight", ex));
      assertFalse(Lars.excluded("proj_head.0.dense.weight", ex), "the kept head layer trains under LARS");
    }
    Config.Train kd = ConfigLoader.load(Path.of("configs/simclrv2/distill-fashion-mnist.yaml"), List.of()).train();
    assertEquals(1.0e-4, kd.weightDecay());
    List<Pattern> ex = Lars.patterns("train.lars_exclude", kd.larsExclude());
    assertFalse(Lars.excluded("backbone.classifier.weight", ex));
    assertTrue(Lars.excluded("backbone.classifier.bias", ex) && Lars.excluded("backbone.bn3.weight", ex));
  }

  @Test
  void badPatternNamesTheKey() {
    UserInputException e = assertThrows(UserInputException.class, () -> Lars.patterns("train.lars_exclude", List.of("(")));
    assertTrue(e.getMessage().contains("train.lars_exclude"));
    assertEquals(0, Lars.patterns("k", null).size());
  }
}

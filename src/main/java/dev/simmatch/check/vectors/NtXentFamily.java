package dev.simmatch.check.vectors;

import dev.simmatch.UserInputException;
import dev.simmatch.algorithms.AlgorithmRegistry;
import dev.simmatch.algorithms.SimClr;
import dev.simmatch.config.Config;
import dev.simmatch.config.ConfigLoader;
import dev.simmatch.io.VectorFile;
import dev.simmatch.ops.NtXent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Runs {@code ntxent-*.json} and {@code ntxent-nonorm-*.json} ({@code simclr-ntxent}) through the
 * registry's {@link SimClr#objective} with the file's temperature and hidden_norm: every block of
 * logits, the per-row cross-entropies, the loss, the monitors, the per-replica losses and the
 * gradients with respect to the head outputs.
 */
final class NtXentFamily implements VectorFamily {
  @Override
  public String algorithm() {
    return "simclr-ntxent";
  }

  @Override
  public void check(VectorFile file, Comparison cmp) {
    int n = file.dim("batch");
    int d = file.dim("dim");
    int replicas = file.dim("replicas_check");
    if (file.config("large_num") == null || file.config("large_num").asDouble() != 1e9) {
      throw new UserInputException("vector file " + file.path() + ": config.large_num: expected 1e9 (the official mask)");
    }
    if (replicas < 1 || n % replicas != 0) {
      throw new UserInputException("vector file " + file.path() + ": dims.replicas_check " + replicas
          + " must divide dims.batch " + n);
    }
    Config config = ConfigLoader.load(null, List.of("algorithm.name=" + SimClr.NAME, "model.head=simclr",
        "data.strong=simclr", "algorithm.temperature=" + file.config("temperature").asText(),
        "algorithm.hidden_norm=" + file.config("hidden_norm").asText()));
    if (!(AlgorithmRegistry.create(config, 1, 0, d) instanceof SimClr simclr)) {
      throw new IllegalStateException("registry did not build SimCLR");
    }
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Map<Operand<?>, Tensor> feeds = new LinkedHashMap<>();
      try {
        Placeholder<TFloat32> h1 = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(n, d)));
        feeds.put(h1, TensorValues.floats(file.input("hidden1", n, d)));
        Placeholder<TFloat32> h2 = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(n, d)));
        feeds.put(h2, TensorValues.floats(file.input("hidden2", n, d)));
        NtXent.Terms t = simclr.objective(tf, h1, h2);
        Gradients grads = tf.gradients(t.loss(), List.of(h1, h2));
        Map<String, Operand<?>> outputs = new LinkedHashMap<>();
        outputs.put("hidden1_used", t.hidden1());
        outputs.put("hidden2_used", t.hidden2());
        outputs.put("logits_ab", t.logitsAb());
        outputs.put("logits_ba", t.logitsBa());
        outputs.put("logits_aa", t.logitsAa());
        outputs.put("logits_bb", t.logitsBb());
        outputs.put("labels", t.labels());
        outputs.put("ce_a", t.ceA());
        outputs.put("ce_b", t.ceB());
        outputs.put("loss_a", t.lossA());
        outputs.put("loss_b", t.lossB());
        outputs.put("loss", t.loss());
        outputs.put("contrast_acc", t.contrastAcc());
        outputs.put("contrast_entropy", t.contrastEntropy());
        outputs.put("loss_per_replica", NtXent.lossPerReplica(tf, t, replicas));
        outputs.put("grad_hidden1", grads.dy(0));
        outputs.put("grad_hidden2", grads.dy(1));
        try (Session s = new Session(g)) {
          StepRunner.runAndCompare(s, feeds, outputs, List.of(), cmp);
        }
      } finally {
        feeds.values().forEach(Tensor::close);
      }
    }
    cmp.requireAllChecked();
  }
}

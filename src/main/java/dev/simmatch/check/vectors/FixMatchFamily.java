package dev.simmatch.check.vectors;

import dev.simmatch.algorithms.AlgorithmRegistry;
import dev.simmatch.algorithms.FixMatch;
import dev.simmatch.config.Config;
import dev.simmatch.io.VectorFile;
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
import org.tensorflow.types.TInt32;

/** Runs a {@code fixmatch-*.json} vector through {@link FixMatch#objective}. */
final class FixMatchFamily implements VectorFamily {
  @Override
  public String algorithm() {
    return "fixmatch";
  }

  @Override
  public void check(VectorFile file, Comparison cmp) {
    int c = file.dim("classes");
    int bx = file.dim("batch_labeled");
    int bu = file.dim("batch_unlabeled");
    Config config = VectorConfig.load(file, FixMatch.NAME, Map.of(), Map.of());
    if (!(AlgorithmRegistry.create(config, c, 0, 0) instanceof FixMatch fixMatch)) {
      throw new IllegalStateException("registry did not build FixMatch");
    }
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Map<Operand<?>, Tensor> feeds = new LinkedHashMap<>();
      try {
        Placeholder<TFloat32> logitsX = TensorValues.input(tf, file, feeds, "logits_x", bx, c);
        Placeholder<TInt32> labelsX = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(bx)));
        feeds.put(labelsX, TensorValues.ints(file.inputInts("labels_x", 0, c, bx)));
        Placeholder<TFloat32> logitsUW = TensorValues.input(tf, file, feeds, "logits_u_w", bu, c);
        Placeholder<TFloat32> logitsUS = TensorValues.input(tf, file, feeds, "logits_u_s", bu, c);
        FixMatch.Terms t = fixMatch.objective(tf, logitsX, labelsX, logitsUW, logitsUS);
        Gradients grads = tf.gradients(t.loss(), List.of(logitsX, logitsUS));

        Map<String, Operand<?>> outputs = new LinkedHashMap<>();
        // Hard pseudo-labels are class indices [Bu]; soft ones would be distributions [Bu,C].
        outputs.put(
            "pseudo_labels",
            file.outputShape("pseudo_labels").length == 2 ? t.targets() : t.pseudoLabels());
        outputs.put("mask", t.mask());
        outputs.put("loss_x", t.lossX());
        outputs.put("loss_u", t.lossU());
        outputs.put("loss", t.loss());
        outputs.put("grad_logits_x", grads.dy(0));
        outputs.put("grad_logits_u_s", grads.dy(1));
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

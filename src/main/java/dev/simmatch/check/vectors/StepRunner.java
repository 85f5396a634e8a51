package dev.simmatch.check.vectors;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.op.Op;

/** One session run that fetches named tensors, runs target ops, and compares the fetches. */
final class StepRunner {
  private StepRunner() {}

  static void runAndCompare(
      Session s,
      Map<? extends Operand<?>, Tensor> feeds,
      Map<String, ? extends Operand<?>> fetches,
      List<Op> targets,
      Comparison cmp) {
    List<String> names = new ArrayList<>(fetches.keySet());
    Session.Runner runner = s.runner();
    feeds.forEach(runner::feed);
    fetches.values().forEach(runner::fetch);
    targets.forEach(runner::addTarget);
    try (Result r = runner.run()) {
      for (int i = 0; i < names.size(); i++) {
        Tensor t = r.get(i);
        cmp.check(names.get(i), t.shape().asArray(), TensorValues.values(t));
      }
    }
  }
}

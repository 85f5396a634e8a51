package dev.simmatch.check.vectors;

import dev.simmatch.algorithms.Alignments;
import dev.simmatch.algorithms.SimMatch;
import dev.simmatch.config.Config;
import dev.simmatch.io.VectorFile;
import dev.simmatch.ops.DistributionAlignment;
import dev.simmatch.ops.EmaAlignment;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Runs a {@code da-ema-*.json} vector: EMA distribution alignment over consecutive batches, one
 * session run per step, through the alignment {@link Alignments} builds for {@code da: ema}. {@code
 * p_model_initial} null means no estimate yet: the first batch mean becomes p_model.
 */
final class DaEmaFamily implements VectorFamily {
  @Override
  public String algorithm() {
    return "distribution_alignment_ema";
  }

  @Override
  public void check(VectorFile file, Comparison cmp) {
    int c = file.dim("classes");
    int bu = file.dim("batch_unlabeled");
    int steps = file.dim("steps");
    float[] target = file.configArray("p_target", c).floats();
    Map<String, String> renames = new HashMap<>();
    renames.put("momentum", "da_momentum");
    renames.put("eps", "da_eps");
    renames.put("p_target", null);
    Config config =
        VectorConfig.load(
            file, SimMatch.NAME, renames, Map.of("da", "ema", "da_target", "labeled"));
    VectorFile.Nd probs = file.input("probs_per_step", steps, bu, c);
    VectorFile.Nd initial = file.inputOrNull("p_model_initial", c);

    double[] aligned = new double[steps * bu * c];
    double[] model = new double[steps * c];
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      DistributionAlignment da = Alignments.create(tf, config.algorithm(), c, target);
      if (!(da instanceof EmaAlignment ema)) {
        throw new IllegalStateException("da: ema did not build an EmaAlignment");
      }
      Placeholder<TFloat32> batch =
          tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(bu, c)));
      DistributionAlignment.Step step = da.align(batch);
      List<Op> updates = step.stateUpdates().apply(List.of(step.aligned()));
      Operand<TFloat32> modelRead = tf.identity(ema.modelVariable());
      StateSetter setter = new StateSetter(tf);
      setter.setEmaModel(ema, initial);
      try (Session s = new Session(g)) {
        s.initialize();
        setter.run(s);
        int per = bu * c;
        float[] all = probs.floats();
        for (int i = 0; i < steps; i++) {
          Session.Runner runner = s.runner();
          updates.forEach(runner::addTarget);
          try (TFloat32 in =
                  TensorValues.floats(Arrays.copyOfRange(all, i * per, (i + 1) * per), bu, c);
              Result r = runner.feed(batch, in).fetch(step.aligned()).run()) {
            System.arraycopy(TensorValues.values(r.get(0)), 0, aligned, i * per, per);
          }
          // The variable after the step's assignment, not the tensor that was assigned.
          try (Result r = s.runner().fetch(modelRead).run()) {
            System.arraycopy(TensorValues.values(r.get(0)), 0, model, i * c, c);
          }
        }
      }
    }
    cmp.check("aligned_per_step", new long[] {steps, bu, c}, aligned);
    cmp.check("p_model_per_step", new long[] {steps, c}, model);
    cmp.requireAllChecked();
  }
}

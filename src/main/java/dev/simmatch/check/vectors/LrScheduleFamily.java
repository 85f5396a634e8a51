package dev.simmatch.check.vectors;

import dev.simmatch.io.VectorFile;
import dev.simmatch.train.LearningRate;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Runs {@code lr-schedule-*.json} ({@code simclr-lr-schedule}) through the trainer's {@link
 * LearningRate}: batch scaling, SimCLR's epoch-to-step conversion, and the {@code warmup-cosine}
 * graph schedule at every listed step.
 */
final class LrScheduleFamily implements VectorFamily {
  @Override
  public String algorithm() {
    return "simclr-lr-schedule";
  }

  @Override
  public void check(VectorFile file, Comparison cmp) {
    int batch = file.config("batch").asInt();
    double scaled = LearningRate.scaled(file.config("base_lr").asDouble(), batch, file.config("scaling").asText());
    long[] steps = LearningRate.simclrSteps(file.config("num_examples").asLong(), batch,
        file.config("warmup_epochs").asDouble(), file.config("train_epochs").asLong(),
        file.config("train_steps").asLong());
    cmp.check("warmup_steps", new long[0], new double[] {steps[0]});
    cmp.check("total_steps", new long[0], new double[] {steps[1]});
    cmp.check("scaled_lr", new long[0], new double[] {scaled});
    VectorFile.Nd at = file.input("steps", -1);
    double[] lr = new double[at.values().length];
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TInt64> step = tf.placeholder(TInt64.class);
      Operand<TFloat32> rate = LearningRate.build(tf, step, "warmup-cosine", scaled, steps[1], 0, steps[0]);
      try (Session s = new Session(g)) {
        for (int i = 0; i < lr.length; i++) {
          try (TInt64 t = TInt64.scalarOf((long) at.values()[i]);
              Result r = s.runner().feed(step, t).fetch(rate).run()) {
            lr[i] = ((TFloat32) r.get(0)).getFloat();
          }
        }
      }
    }
    cmp.check("lr", new long[] {lr.length}, lr);
    cmp.requireAllChecked();
  }
}

package dev.simmatch.check.vectors;

import dev.simmatch.io.VectorFile;
import dev.simmatch.ops.Distillation;
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

/**
 * Runs {@code distill-*.json} ({@code simclrv2-distill}) through {@link Distillation}: teacher and
 * student probabilities, per-sample cross-entropy, the T^2-scaled loss and the alpha-mixed loss,
 * with their gradients with respect to the student logits.
 */
final class DistillFamily implements VectorFamily {
  @Override
  public String algorithm() {
    return "simclrv2-distill";
  }

  @Override
  public void check(VectorFile file, Comparison cmp) {
    int bu = file.dim("batch_unlabeled");
    int bl = file.dim("batch_labeled");
    int c = file.dim("classes");
    float t = (float) file.config("temperature").asDouble();
    float alpha = (float) file.config("alpha").asDouble();
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Map<Operand<?>, Tensor> feeds = new LinkedHashMap<>();
      try {
        Placeholder<TFloat32> teacher = TensorValues.input(tf, file, feeds, "teacher_logits", bu, c);
        Placeholder<TFloat32> student = TensorValues.input(tf, file, feeds, "student_logits", bu, c);
        Placeholder<TFloat32> labeled = TensorValues.input(tf, file, feeds, "student_logits_labeled", bl, c);
        Placeholder<TInt32> labels = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(bl)));
        feeds.put(labels, TensorValues.ints(file.inputInts("labels", 0, c, bl)));
        Distillation.Terms kd = Distillation.loss(tf, teacher, student, t);
        Operand<TFloat32> mixed = Distillation.mixed(tf, kd, labeled, labels, c, alpha);
        Gradients gKd = tf.gradients(kd.loss(), List.of(student));
        Gradients gMixed = tf.gradients(mixed, List.of(labeled, student));
        Map<String, Operand<?>> outputs = new LinkedHashMap<>();
        outputs.put("teacher_probs", kd.teacherProbs());
        outputs.put("student_probs", kd.studentProbs());
        outputs.put("ce_per_sample", kd.cePerSample());
        outputs.put("loss", kd.loss());
        outputs.put("grad_student_logits", gKd.dy(0));
        outputs.put("loss_mixed", mixed);
        outputs.put("grad_mixed_student_logits_labeled", gMixed.dy(0));
        outputs.put("grad_mixed_student_logits", gMixed.dy(1));
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

package dev.simmatch.ops;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * SimCLRv2's distillation loss as the official colab computes it, with temperature T, teacher
 * logits t [Bu,C] (no gradient) and student logits s [Bu,C] on the same images:
 *
 * <pre>
 *   p_t   = softmax(t / T)                                   [Bu,C]
 *   ce[b] = -sum_c p_t[b,c] log softmax(s[b] / T)[c]         [Bu]
 *   loss  = mean_b T^2 ce[b]       (gradient w.r.t. s: T (softmax(s/T) - p_t) / Bu)
 * </pre>
 *
 * and the per-batch form of the paper's mix with labeled images: {@code (1 - alpha) mean CE(y,
 * s_l) + alpha * loss}.
 */
public final class Distillation {
  private Distillation() {}

  /**
   * @param teacherProbs [Bu,C] softmax(t/T)
   * @param studentProbs [Bu,C] softmax(s/T)
   * @param cePerSample [Bu] without the T^2 factor
   * @param loss scalar mean of T^2 ce
   */
  public record Terms(
      Operand<TFloat32> teacherProbs,
      Operand<TFloat32> studentProbs,
      Operand<TFloat32> cePerSample,
      Operand<TFloat32> loss) {}

  /** @param temperature T &gt; 0 */
  public static Terms loss(Ops tf, Operand<TFloat32> teacherLogits, Operand<TFloat32> studentLogits, float temperature) {
    if (!(temperature > 0)) {
      throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
    }
    Operand<TFloat32> invT = tf.constant(1f / temperature);
    Operand<TFloat32> teacher = tf.nn.softmax(tf.stopGradient(tf.math.mul(teacherLogits, invT)));
    Operand<TFloat32> scaled = tf.math.mul(studentLogits, invT);
    Operand<TFloat32> ce = CrossEntropy.soft(tf, scaled, teacher);
    Operand<TFloat32> loss =
        tf.math.mul(tf.constant(temperature * temperature), tf.math.mean(ce, tf.constant(0)));
    return new Terms(teacher, tf.nn.softmax(scaled), ce, loss);
  }

  /**
   * (1 - alpha) * mean_b CE(labels[b], labeledLogits[b]) + alpha * kd.loss.
   *
   * @param labeledLogits [Bl,C] student logits on labeled images
   * @param labels [Bl]
   */
  public static Operand<TFloat32> mixed(
      Ops tf, Terms kd, Operand<TFloat32> labeledLogits, Operand<TInt32> labels, int numClasses, float alpha) {
    Operand<TFloat32> supervised =
        tf.math.mean(CrossEntropy.hard(tf, labeledLogits, labels, numClasses), tf.constant(0));
    return tf.math.add(tf.math.mul(tf.constant(1f - alpha), supervised), tf.math.mul(tf.constant(alpha), kd.loss()));
  }
}

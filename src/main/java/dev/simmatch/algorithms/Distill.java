package dev.simmatch.algorithms;

import dev.simmatch.config.Config;
import dev.simmatch.model.Network;
import dev.simmatch.ops.CrossEntropy;
import dev.simmatch.ops.Distillation;
import dev.simmatch.train.FrozenTeacher;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * SimCLRv2 step 3 (Chen et al., NeurIPS 2020): a frozen teacher run teaches this run's network
 * (the student) on the unlabeled images. Teacher and student read the same view of each image
 * (the batcher's weak view; {@code data.strong: simclr} with the colour jitter off gives the
 * official crop + flip), and the teacher runs in inference mode (BN moving statistics):
 *
 * <pre>
 *   t  = teacher(u)                                       [Bu,C]  (no gradient)
 *   s  = student(u)                                       [Bu,C]  (training mode)
 *   kd = mean_b T^2 CE(softmax(t/T)[b], softmax(s/T)[b])          (official colab)
 *   loss = kd                                                      (alpha = 1, the default)
 *   loss = (1 - alpha) mean_b CE(y[b], student(x)[b]) + alpha kd   (alpha &lt; 1)
 * </pre>
 *
 * With alpha &lt; 1 one training-mode forward covers [x; u], so BatchNorm sees both batches. The
 * teacher ({@link FrozenTeacher}) is any run with the same classes and image shape; its own config
 * gives its architecture and head selector. Monitors: {@code loss_kd}, {@code loss_x},
 * {@code teacher_acc} (teacher argmax against the true labels of the unlabeled batch, never in a
 * loss) and {@code agreement} (student argmax = teacher argmax).
 */
public final class Distill implements Algorithm {
  public static final String NAME = "distill";

  private final int numClasses;
  private final float temperature;
  private final float alpha;
  private final FrozenTeacher teacher;

  /** @throws dev.simmatch.UserInputException if the teacher run is missing or unusable */
  public Distill(Config config, int numClasses) {
    this.numClasses = numClasses;
    this.temperature = Checks.positive("distill_temperature", config.algorithm().distillTemperature());
    this.alpha = Checks.probability("distill_alpha", config.algorithm().distillAlpha());
    this.teacher = new FrozenTeacher(config.algorithm());
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public boolean usesUnlabeled() {
    return true;
  }

  @Override
  public int strongViews() {
    return 0;
  }

  @Override
  public boolean usesLabeled() {
    return alpha < 1;
  }

  @Override
  public boolean trainsClassifier() {
    return true;
  }

  /** The unlabeled batch drives the loss whether or not labels are mixed in. */
  @Override
  public int scalingBatch(int batchSize, int mu) {
    return mu * batchSize;
  }

  /** The teacher, whose variables {@link #build} created. */
  public FrozenTeacher teacher() {
    return teacher;
  }

  @Override
  public void initialize(Session session) {
    teacher.load(session);
  }

  /** The distillation loss on teacher and student logits of the same images [Bu,C]. */
  public Distillation.Terms objective(Ops tf, Operand<TFloat32> teacherLogits, Operand<TFloat32> studentLogits) {
    return Distillation.loss(tf, teacherLogits, studentLogits, temperature);
  }

  @Override
  public Objective build(Ops tf, Network online, Network ema, StepInputs in) {
    Network frozen = teacher.build(tf, online.params().precision(), in.uWeak().shape(), numClasses);
    Operand<TFloat32> teacherLogits = tf.stopGradient(frozen.forward(in.uWeak(), false).logits());

    Network.Outputs out;
    Operand<TFloat32> studentU;
    Operand<TFloat32> studentX = null;
    if (usesLabeled()) {
      Operand<TInt32> bx = Batches.size(tf, in.x());
      out = online.forward(tf.concat(List.of(in.x(), in.uWeak()), tf.constant(0)), true);
      studentX = Batches.rows(tf, out.logits(), tf.constant(0), bx);
      studentU = Batches.rows(tf, out.logits(), bx, Batches.size(tf, in.uWeak()));
    } else {
      out = online.forward(in.uWeak(), true);
      studentU = out.logits();
    }
    Distillation.Terms kd = objective(tf, teacherLogits, studentU);
    Operand<TFloat32> loss =
        studentX == null ? kd.loss() : Distillation.mixed(tf, kd, studentX, in.y(), numClasses, alpha);

    Map<String, Operand<TFloat32>> metrics = new LinkedHashMap<>();
    metrics.put("loss_kd", tf.identity(kd.loss()));
    if (studentX != null) {
      metrics.put("loss_x", tf.math.mean(
          CrossEntropy.hard(tf, studentX, in.y(), numClasses), tf.constant(0)));
    }
    Operand<TInt64> teacherClass = tf.math.argMax(teacherLogits, tf.constant(1), TInt64.class);
    Operand<TInt64> studentClass = tf.math.argMax(studentU, tf.constant(1), TInt64.class);
    metrics.put("teacher_acc", fraction(tf, tf.math.equal(teacherClass, tf.dtypes.cast(in.uLabels(), TInt64.class))));
    metrics.put("agreement", fraction(tf, tf.math.equal(teacherClass, studentClass)));
    return new Objective(loss, metrics, out.statisticUpdates(), waitFor -> List.of());
  }

  private static Operand<TFloat32> fraction(Ops tf, Operand<TBool> hits) {
    return tf.math.mean(tf.dtypes.cast(hits, TFloat32.class), tf.constant(0));
  }
}

package dev.simmatch.check.vectors;

import com.fasterxml.jackson.databind.JsonNode;
import dev.simmatch.UserInputException;
import dev.simmatch.algorithms.AlgorithmRegistry;
import dev.simmatch.algorithms.Alignments;
import dev.simmatch.algorithms.ReMixMatch;
import dev.simmatch.config.Config;
import dev.simmatch.io.VectorFile;
import dev.simmatch.model.RotationHead;
import dev.simmatch.ops.EmaAlignment;
import dev.simmatch.ops.MixUp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Runs a {@code remixmatch-*.json} vector (USB's {@code train_step} with a stub network) through
 * {@link ReMixMatch#mixInputs} and {@link ReMixMatch#objective}: p_model is set from the file (or
 * left empty for the first step), the network outputs are fed in place of the forwards, and the
 * guess, the mixing of inputs and targets, the ramp, every loss term, the gradients w.r.t. the
 * three groups of logits and p_model after the step are compared. MixUp's coefficient comes from the
 * file's Beta sample through the same rule the trainer applies to its own draw.
 */
final class ReMixMatchFamily implements VectorFamily {
  @Override
  public String algorithm() {
    return ReMixMatch.NAME;
  }

  @Override
  public void check(VectorFile file, Comparison cmp) {
    int c = file.dim("classes");
    int bx = file.dim("batch_labeled");
    int bu = file.dim("batch_unlabeled");
    int d = file.dim("input_dim");
    int n = file.dim("mixed_rows");
    int groups = 1 + ReMixMatch.STRONG_VIEWS + 1;
    if (n != bx + (groups - 1) * bu) {
      throw new UserInputException(
          "vector file " + file.path() + ": dims.mixed_rows is " + n + ", expected Bx + 3*Bu = "
              + (bx + (groups - 1) * bu));
    }
    if (file.dim("rotations") != RotationHead.ROTATIONS) {
      throw new UserInputException(
          "vector file " + file.path() + ": dims.rotations must be " + RotationHead.ROTATIONS);
    }
    requireConfig(file, "mixup_is_bias", true);
    requireConfig(file, "mixup_manifold", false);
    requireConfig(file, "p_target", "labeled_class_distribution");

    Map<String, String> renames = new HashMap<>();
    renames.put("T", "sharpen_t");
    renames.put("num_train_iter", null);
    renames.put("mixup_is_bias", null);
    renames.put("mixup_manifold", null);
    renames.put("p_target", null);
    Config config =
        VectorConfig.load(
            file, ReMixMatch.NAME, renames, Map.of("da_target", "labeled"),
            Map.of("train.steps", Long.toString(scalarInt(file, "config", file.config("num_train_iter"))),
                "train.batch_size", Integer.toString(bx)));

    int[] counts = file.inputInts("labeled_class_counts", 0, Integer.MAX_VALUE, c).ints();
    float[] target = Alignments.classFrequencies(counts);
    if (!(AlgorithmRegistry.create(config, c, 0, 0, target) instanceof ReMixMatch rmm)) {
      throw new IllegalStateException("registry did not build ReMixMatch");
    }
    double sample = file.input("mixup_beta_sample").values()[0];
    long it = (long) file.input("it").values()[0];

    double[] targetValues = new double[c];
    for (int k = 0; k < c; k++) {
      targetValues[k] = target[k];
    }
    cmp.check("p_target", new long[] {c}, targetValues);
    cmp.check("mixup_lambda", new long[] {}, new double[] {MixUp.lambdaOf(sample)});

    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      ReMixMatch.State state = rmm.createState(tf);
      Map<Operand<?>, Tensor> feeds = new LinkedHashMap<>();
      try {
        Placeholder<TFloat32> logitsMixed = TensorValues.input(tf, file, feeds, "logits_mixed", n, c);
        Placeholder<TFloat32> logitsUS0 = TensorValues.input(tf, file, feeds, "logits_u_s0", bu, c);
        Placeholder<TFloat32> logitsRot =
            TensorValues.input(tf, file, feeds, "logits_rot", bu, RotationHead.ROTATIONS);
        Placeholder<TInt32> perm = ints(tf, file, feeds, "mixup_perm", n, n);
        Placeholder<TFloat32> lambda =
            tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
        feeds.put(lambda, TFloat32.scalarOf(MixUp.lambdaOf(sample)));

        Operand<TFloat32> mixedInputs =
            ReMixMatch.mixInputs(
                tf,
                TensorValues.input(tf, file, feeds, "x_lb", bx, d),
                List.of(
                    TensorValues.input(tf, file, feeds, "x_ulb_s_0", bu, d),
                    TensorValues.input(tf, file, feeds, "x_ulb_s_1", bu, d)),
                TensorValues.input(tf, file, feeds, "x_ulb_w", bu, d),
                lambda,
                perm);
        ReMixMatch.Terms t =
            rmm.objective(
                tf,
                state,
                new ReMixMatch.Inputs(
                    ints(tf, file, feeds, "labels_x", c, bx),
                    TensorValues.input(tf, file, feeds, "logits_u_w", bu, c),
                    logitsMixed,
                    logitsUS0,
                    logitsRot,
                    ints(tf, file, feeds, "rot_labels", RotationHead.ROTATIONS, bu),
                    lambda,
                    perm,
                    tf.constant(it)));
        Gradients grads = tf.gradients(t.loss(), List.of(logitsMixed, logitsUS0, logitsRot));
        List<Op> waitFor = new ArrayList<>(List.of(t.loss()));
        waitFor.addAll(grads.dy());
        List<Op> updates = t.stateUpdates().apply(waitFor);

        if (!(state.alignment() instanceof EmaAlignment ema)) {
          throw new IllegalStateException("da: ema did not build an EmaAlignment");
        }
        StateSetter setter = new StateSetter(tf);
        setter.setEmaModel(ema, file.inputOrNull("p_model", c));

        Map<String, Operand<?>> outputs = new LinkedHashMap<>();
        outputs.put("probs_u_w", t.probs());
        outputs.put("probs_aligned", t.aligned());
        outputs.put("guess", t.guess());
        outputs.put("input_targets", t.targets());
        outputs.put("mixed_targets", t.mixedTargets());
        outputs.put("mixed_inputs", mixedInputs);
        outputs.put("unsup_warmup", t.ramp());
        outputs.put("loss_x", t.lossX());
        outputs.put("loss_u", t.lossU());
        outputs.put("loss_u1", t.lossU1());
        outputs.put("loss_rot", t.lossRot());
        outputs.put("loss", t.loss());
        outputs.put("grad_logits_mixed", grads.dy(0));
        outputs.put("grad_logits_u_s0", grads.dy(1));
        outputs.put("grad_logits_rot", grads.dy(2));
        Map<String, Operand<?>> after = Map.of("p_model_after", tf.identity(ema.modelVariable()));

        try (Session s = new Session(g)) {
          s.initialize();
          setter.run(s);
          StepRunner.runAndCompare(s, feeds, outputs, updates, cmp);
          StepRunner.runAndCompare(s, Map.of(), after, List.of(), cmp);
        }
      } finally {
        feeds.values().forEach(Tensor::close);
      }
    }
    cmp.requireAllChecked();
  }

  private static void requireConfig(VectorFile file, String key, Object expected) {
    JsonNode v = file.config(key);
    boolean ok =
        v != null
            && (expected instanceof Boolean b
                ? v.isBoolean() && v.asBoolean() == b
                : v.isTextual() && v.asText().equals(expected));
    if (!ok) {
      throw new UserInputException(
          "vector file " + file.path() + ": config." + key + " is " + v + ", only " + expected
              + " is implemented (USB's image setting)");
    }
  }

  private static long scalarInt(VectorFile file, String section, JsonNode v) {
    if (v == null || !v.isIntegralNumber() || v.asLong() < 1) {
      throw new UserInputException(
          "vector file " + file.path() + ": " + section + ".num_train_iter: expected a positive"
              + " integer");
    }
    return v.asLong();
  }


  /** An int input with values in [0, limit). */
  private static Placeholder<TInt32> ints(
      Ops tf, VectorFile file, Map<Operand<?>, Tensor> feeds, String name, int limit,
      long... shape) {
    Placeholder<TInt32> p =
        tf.withName(name).placeholder(TInt32.class, Placeholder.shape(Shape.of(shape)));
    feeds.put(p, TensorValues.ints(file.inputInts(name, 0, limit, shape)));
    return p;
  }
}

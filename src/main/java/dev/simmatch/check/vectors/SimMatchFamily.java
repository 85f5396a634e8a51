package dev.simmatch.check.vectors;

import dev.simmatch.algorithms.AlgorithmRegistry;
import dev.simmatch.algorithms.SimMatch;
import dev.simmatch.config.Config;
import dev.simmatch.io.VectorFile;
import dev.simmatch.ops.EmaAlignment;
import dev.simmatch.ops.NoAlignment;
import dev.simmatch.ops.QueueAlignment;
import java.util.ArrayList;
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
 * Runs a {@code simmatch-*.json} vector through {@link SimMatch#objective}: the state variables
 * (bank, bank labels, DA state) are set from the file, one step is run with the state updates, and
 * outputs, gradients w.r.t. the student inputs, and the state after the step are compared.
 */
final class SimMatchFamily implements VectorFamily {
  @Override
  public String algorithm() {
    return "simmatch";
  }

  @Override
  public void check(VectorFile file, Comparison cmp) {
    int c = file.dim("classes");
    int d = file.dim("embedding");
    int k = file.dim("bank_size");
    int bx = file.dim("batch_labeled");
    int bu = file.dim("batch_unlabeled");
    boolean startUnlabel = file.flag("start_unlabel");
    Config config = VectorConfig.load(file, SimMatch.NAME, Map.of(), Map.of());
    if (!(AlgorithmRegistry.create(config, c, k, d) instanceof SimMatch simMatch)) {
      throw new IllegalStateException("registry did not build SimMatch");
    }

    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      SimMatch.State state = simMatch.createState(tf);
      Map<Operand<?>, Tensor> feeds = new LinkedHashMap<>();
      try {
        Placeholder<TFloat32> logitsX = floatInput(tf, file, feeds, "logits_x", bx, c);
        Placeholder<TFloat32> logitsUS = floatInput(tf, file, feeds, "logits_u_s", bu, c);
        Placeholder<TFloat32> featsUS = floatInput(tf, file, feeds, "feats_u_s", bu, d);
        SimMatch.Terms t =
            simMatch.objective(
                tf,
                state,
                new SimMatch.Inputs(
                    logitsX,
                    intInput(tf, file, feeds, "labels_x", c, bx),
                    intInput(tf, file, feeds, "index_x", k, bx),
                    logitsUS,
                    featsUS,
                    floatInput(tf, file, feeds, "teacher_logits_u_w", bu, c),
                    floatInput(tf, file, feeds, "teacher_feats_u_w", bu, d),
                    floatInput(tf, file, feeds, "bank_feats_x", bx, d),
                    tf.constant(startUnlabel)));
        Gradients grads = tf.gradients(t.loss(), List.of(logitsX, logitsUS, featsUS));
        List<Op> waitFor = new ArrayList<>(List.of(t.loss()));
        waitFor.addAll(grads.dy());
        List<Op> updates = t.stateUpdates().apply(waitFor);

        StateSetter setter = new StateSetter(tf);
        setter.setFloats(state.bank().embeddingVariable(), file.input("bank", k, d));
        setter.setInts(state.bank().labelVariable(), file.inputInts("bank_labels", 0, c, k));
        Map<String, Operand<?>> after = new LinkedHashMap<>();
        after.put("bank_after", tf.identity(state.bank().embeddingVariable()));
        after.put("bank_labels_after", tf.identity(state.bank().labelVariable()));
        if (state.alignment() instanceof QueueAlignment queue) {
          int len = config.algorithm().daLen();
          setter.setFloats(queue.queueVariable(), file.input("da_queue", len, c));
          setter.setInts(queue.pointerVariable(), file.inputInts("da_ptr", 0, len));
          after.put("da_queue_after", tf.identity(queue.queueVariable()));
          after.put("da_ptr_after", tf.identity(queue.pointerVariable()));
        } else if (state.alignment() instanceof EmaAlignment ema) {
          VectorFile.Nd initial = file.inputOrNull("p_model_initial", c);
          setter.setEmaModel(ema, initial);
          if (file.outputNames().contains("p_model_after")) {
            after.put("p_model_after", tf.identity(ema.modelVariable()));
          }
        } else if (!(state.alignment() instanceof NoAlignment)) {
          throw new IllegalStateException("unknown alignment " + state.alignment());
        }

        Map<String, Operand<?>> outputs = new LinkedHashMap<>();
        outputs.put("p_da", t.pDa());
        outputs.put("q_hat", t.qHat());
        outputs.put("p_hat", t.pHat());
        outputs.put("mask", t.mask());
        outputs.put("loss_in_per_sample", t.lossInPerSample());
        outputs.put("loss_x", t.lossX());
        outputs.put("loss_u", t.lossU());
        outputs.put("loss_in", t.lossIn());
        outputs.put("loss", t.loss());
        outputs.put("grad_logits_x", grads.dy(0));
        outputs.put("grad_logits_u_s", grads.dy(1));
        outputs.put("grad_feats_u_s", grads.dy(2));

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

  private static Placeholder<TFloat32> floatInput(
      Ops tf, VectorFile file, Map<Operand<?>, Tensor> feeds, String name, long... shape) {
    Placeholder<TFloat32> p =
        tf.withName(name).placeholder(TFloat32.class, Placeholder.shape(Shape.of(shape)));
    feeds.put(p, TensorValues.floats(file.input(name, shape)));
    return p;
  }

  /** An int input with values in [0, limit). */
  private static Placeholder<TInt32> intInput(
      Ops tf,
      VectorFile file,
      Map<Operand<?>, Tensor> feeds,
      String name,
      int limit,
      long... shape) {
    Placeholder<TInt32> p =
        tf.withName(name).placeholder(TInt32.class, Placeholder.shape(Shape.of(shape)));
    feeds.put(p, TensorValues.ints(file.inputInts(name, 0, limit, shape)));
    return p;
  }
}

package dev.simmatch.check.vectors;

import dev.simmatch.UserInputException;
import dev.simmatch.io.VectorFile;
import dev.simmatch.model.Params;
import dev.simmatch.model.SimclrHead;
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

/**
 * Runs {@code proj-head-*.json} ({@code simclrv2-projection-head}) through the network's {@link
 * SimclrHead}: the file's kernels, BatchNorm parameters and moving statistics are loaded into the
 * head's variables; one training-mode application gives every layer's dense output, batch
 * statistics, BN output and activation, {@code hiddens_list} for each {@code ft_proj_selector}, and
 * the gradients of the probe loss sum(probe * output); an inference-mode application gives the
 * eval outputs; running the training application's statistic updates gives the moving statistics.
 */
final class ProjectionHeadFamily implements VectorFamily {
  @Override
  public String algorithm() {
    return "simclrv2-projection-head";
  }

  @Override
  public void check(VectorFile file, Comparison cmp) {
    int rows = file.dim("rows");
    int d = file.dim("in_dim");
    int p = file.dim("proj_out_dim");
    int layers = file.dim("num_proj_layers");
    if (file.config("bn_epsilon").asDouble() != 1e-5 || !file.config("training").asBoolean()) {
      throw new UserInputException("vector file " + file.path()
          + ": expected config.bn_epsilon 1e-5 and training true (the head's fixed settings)");
    }
    float decay = (float) file.config("batch_norm_decay").asDouble();
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Params params = new Params(tf, "");
      SimclrHead head = new SimclrHead(params, 0, d, p, layers, decay);
      Map<Operand<?>, Tensor> feeds = new LinkedHashMap<>();
      try {
        Placeholder<TFloat32> h = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(rows, d)));
        feeds.put(h, TensorValues.floats(file.input("h", rows, d)));
        Placeholder<TFloat32> probe = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(rows, p)));
        feeds.put(probe, TensorValues.floats(file.input("probe", rows, p)));
        List<Op> updates = new ArrayList<>();
        SimclrHead.Layers train = head.apply(h, true, updates);
        SimclrHead.Layers eval = head.apply(h, false, new ArrayList<>());
        StateSetter state = new StateSetter(tf);
        List<String> gradNames = new ArrayList<>(List.of("h"));
        List<Operand<TFloat32>> xs = new ArrayList<>(List.of(h));
        for (int j = 0; j < layers; j++) {
          String n = SimclrHead.PREFIX + j;
          long out = j == layers - 1 ? p : d;
          state.setFloats(params.entry(n + ".dense.weight").variable(), file.input("kernel_" + j, d, out));
          state.setFloats(params.entry(n + ".bn.weight").variable(), file.input("gamma_" + j, out));
          state.setFloats(params.entry(n + ".bn.running_mean").variable(), file.input("moving_mean_" + j, out));
          state.setFloats(params.entry(n + ".bn.running_var").variable(), file.input("moving_variance_" + j, out));
          gradNames.add("kernel_" + j);
          xs.add(params.read(n + ".dense.weight"));
          gradNames.add("gamma_" + j);
          xs.add(params.read(n + ".bn.weight"));
          if (j < layers - 1) {
            state.setFloats(params.entry(n + ".bn.bias").variable(), file.input("beta_" + j, out));
            gradNames.add("beta_" + j);
            xs.add(params.read(n + ".bn.bias"));
          }
        }
        Operand<TFloat32> probeLoss =
            tf.reduceSum(tf.math.mul(probe, train.output()), tf.constant(new int[] {0, 1}));
        Gradients grads = tf.gradients(probeLoss, xs);
        Map<String, Operand<?>> outputs = new LinkedHashMap<>();
        for (int j = 0; j < layers; j++) {
          outputs.put("dense_" + j, train.dense().get(j));
          outputs.put("batch_mean_" + j, train.batchMean().get(j));
          outputs.put("batch_var_" + j, train.batchVar().get(j));
          outputs.put("bn_" + j, train.bn().get(j));
          outputs.put("layer_" + j, train.hiddens().get(j + 1));
          outputs.put("eval_layer_" + j, eval.hiddens().get(j + 1));
        }
        outputs.put("proj_head_output", train.output());
        outputs.put("probe_loss", probeLoss);
        for (int i = 0; i < xs.size(); i++) {
          outputs.put("grad_" + gradNames.get(i), grads.dy(i));
        }
        // The last layer's BN output, activation and head output are one tensor: fetch copies.
        outputs.replaceAll((k, v) -> tf.identity(v));
        try (Session s = new Session(g)) {
          s.initialize();
          state.run(s);
          StepRunner.runAndCompare(s, feeds, outputs, List.of(), cmp);
          Map<String, Operand<?>> selected = new LinkedHashMap<>();
          for (String k : file.keysAt("outputs", "ft_proj_selector")) {
            int index = Integer.parseInt(k);
            selected.put(k, tf.identity(train.hiddens().get(index < 0 ? layers + 1 + index : index)));
          }
          checkNested(s, feeds, selected, file, cmp);
          Session.Runner r = s.runner();
          feeds.forEach(r::feed);
          updates.forEach(r::addTarget);
          r.run().close();
          Map<String, Operand<?>> moving = new LinkedHashMap<>();
          for (int j = 0; j < layers; j++) {
            moving.put("moving_mean_after_" + j, params.read(SimclrHead.PREFIX + j + ".bn.running_mean"));
            moving.put("moving_variance_after_" + j, params.read(SimclrHead.PREFIX + j + ".bn.running_var"));
          }
          StepRunner.runAndCompare(s, Map.of(), moving, List.of(), cmp);
        }
      } finally {
        feeds.values().forEach(Tensor::close);
      }
    }
    cmp.requireAllChecked();
  }

  /** Compares the hiddens_list entries under outputs.ft_proj_selector. */
  private static void checkNested(
      Session s, Map<Operand<?>, Tensor> feeds, Map<String, Operand<?>> selected, VectorFile file, Comparison cmp) {
    Session.Runner r = s.runner();
    feeds.forEach(r::feed);
    List<String> keys = new ArrayList<>(selected.keySet());
    selected.values().forEach(r::fetch);
    try (org.tensorflow.Result res = r.run()) {
      for (int i = 0; i < keys.size(); i++) {
        Tensor t = res.get(i);
        cmp.check("ft_proj_selector", "ft_proj_selector." + keys.get(i),
            file.at("outputs", "ft_proj_selector", keys.get(i)), t.shape().asArray(), TensorValues.values(t));
      }
    }
  }
}

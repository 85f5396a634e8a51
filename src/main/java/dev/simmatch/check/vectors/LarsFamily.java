package dev.simmatch.check.vectors;

import dev.simmatch.UserInputException;
import dev.simmatch.io.VectorFile;
import dev.simmatch.model.Params;
import dev.simmatch.train.Lars;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Runs {@code lars-*.json} ({@code lars}) through the trainer's {@link Lars}: the file's variables
 * (their names decide the exclusions, as the official regex search), then each step's gradients and
 * learning rate; after every step the trust ratios, the decayed gradients, the parameters and the
 * momentum slots are compared.
 */
final class LarsFamily implements VectorFamily {
  @Override
  public String algorithm() {
    return "lars";
  }

  @Override
  public void check(VectorFile file, Comparison cmp) {
    int steps = file.dim("steps");
    List<String> names = file.keysAt("inputs", "params");
    if (!file.config("classic_momentum").asBoolean() || file.config("use_nesterov").asBoolean()) {
      throw new UserInputException("vector file " + file.path()
          + ": only classic momentum without Nesterov (the official setting) is implemented");
    }
    if (file.config("exclude_from_layer_adaptation") != null && !file.config("exclude_from_layer_adaptation").isNull()) {
      throw new UserInputException("vector file " + file.path()
          + ": config.exclude_from_layer_adaptation must be null (the same list as exclude_from_weight_decay)");
    }
    List<String> regexes = new ArrayList<>();
    file.config("exclude_from_weight_decay").forEach(n -> regexes.add(n.asText()));
    List<Pattern> exclude = Lars.patterns("config.exclude_from_weight_decay", regexes);
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Params params = new Params(tf, "");
      List<Placeholder<TFloat32>> gradFeeds = new ArrayList<>();
      for (String n : names) {
        VectorFile.Nd value = file.at("inputs", "params", n);
        params.create(n, Params.Kind.WEIGHT, Params.Layout.SAME, tf.zeros(tf.constant(value.shape()), TFloat32.class));
        gradFeeds.add(tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(value.shape()))));
      }
      Placeholder<TFloat32> lr = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
      Lars.Step step = Lars.apply(tf, params.all(), new ArrayList<>(gradFeeds), lr,
          file.config("momentum").asDouble(), file.config("weight_decay").asDouble(), file.config("eeta").asDouble(),
          exclude);
      StateSetter state = new StateSetter(tf);
      for (String n : names) {
        state.setFloats(params.entry(n).variable(), file.at("inputs", "params", n));
        state.setFloats(slot(g, n), file.at("inputs", "momentum", n));
      }
      try (Session s = new Session(g)) {
        s.initialize();
        state.run(s);
        for (int k = 0; k < steps; k++) {
          String at = "after_step[" + k + "].";
          List<Tensor> feeds = new ArrayList<>();
          try {
            Map<Placeholder<TFloat32>, Tensor> byFeed = new LinkedHashMap<>();
            for (int i = 0; i < names.size(); i++) {
              Tensor t = TensorValues.floats(file.at("inputs", "grads_per_step", String.valueOf(k), names.get(i)));
              feeds.add(t);
              byFeed.put(gradFeeds.get(i), t);
            }
            Tensor rate = TFloat32.scalarOf((float) file.config("lr_per_step").get(k).asDouble());
            feeds.add(rate);
            byFeed.put(lr, rate);
            Session.Runner r = s.runner();
            byFeed.forEach(r::feed);
            step.trustRatios().forEach(r::fetch);
            step.gradsWithDecay().forEach(r::fetch);
            step.updates().forEach(r::addTarget);
            // Trust ratios and decayed gradients read the old parameters: the updates take them as input.
            try (Result res = r.run()) {
              for (int i = 0; i < names.size(); i++) {
                String n = names.get(i);
                compare(cmp, file, at + "trust_ratio." + n, res.get(i), String.valueOf(k), "trust_ratio", n);
                compare(cmp, file, at + "grad_with_wd." + n, res.get(names.size() + i), String.valueOf(k), "grad_with_wd", n);
              }
            }
          } finally {
            feeds.forEach(Tensor::close);
          }
          for (String n : names) {
            try (Result res = s.runner().fetch(params.read(n)).fetch(slot(g, n)).run()) {
              compare(cmp, file, at + "params." + n, res.get(0), String.valueOf(k), "params", n);
              compare(cmp, file, at + "momentum." + n, res.get(1), String.valueOf(k), "momentum", n);
            }
          }
        }
      }
    }
    cmp.requireAllChecked();
  }

  @SuppressWarnings("unchecked")
  private static org.tensorflow.op.core.Variable<TFloat32> slot(Graph g, String name) {
    return new org.tensorflow.op.core.Variable<>(g.operation("opt/" + name + "/momentum"));
  }

  private static void compare(Comparison cmp, VectorFile file, String label, Tensor got, String step, String what,
      String name) {
    cmp.check("after_step", label, file.at("outputs", "after_step", step, what, name), got.shape().asArray(),
        TensorValues.values(got));
  }
}

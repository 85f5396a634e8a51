package dev.simmatch.check.vectors;

import dev.simmatch.io.VectorFile;
import dev.simmatch.ops.EmaAlignment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** Assigns a vector file's state values to graph variables, in one session run. */
final class StateSetter {
  private final Ops tf;
  private final Map<Operand<?>, VectorFile.Nd> floatFeeds = new LinkedHashMap<>();
  private final Map<Operand<?>, VectorFile.Nd> intFeeds = new LinkedHashMap<>();
  private final List<Op> assigns = new ArrayList<>();

  StateSetter(Ops tf) {
    this.tf = tf;
  }

  void setFloats(Variable<TFloat32> variable, VectorFile.Nd value) {
    Placeholder<TFloat32> p =
        tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(value.shape())));
    floatFeeds.put(p, value);
    assigns.add(tf.assign(variable, p));
  }

  void setInts(Variable<TInt32> variable, VectorFile.Nd value) {
    Placeholder<TInt32> p =
        tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(value.shape())));
    intFeeds.put(p, value);
    assigns.add(tf.assign(variable, p));
  }

  /** p_model as given, or left empty (the next batch mean becomes p_model) when null. */
  void setEmaModel(EmaAlignment ema, VectorFile.Nd initial) {
    if (initial != null) {
      setFloats(ema.modelVariable(), initial);
      assigns.add(tf.assign(ema.hasModelVariable(), tf.constant(true)));
    }
  }

  void run(Session s) {
    if (assigns.isEmpty()) {
      return;
    }
    List<Tensor> tensors = new ArrayList<>();
    try {
      Session.Runner runner = s.runner();
      floatFeeds.forEach(
          (p, v) -> {
            Tensor t = TensorValues.floats(v);
            tensors.add(t);
            runner.feed(p, t);
          });
      intFeeds.forEach(
          (p, v) -> {
            Tensor t = TensorValues.ints(v);
            tensors.add(t);
            runner.feed(p, t);
          });
      assigns.forEach(runner::addTarget);
      runner.run().close();
    } finally {
      tensors.forEach(Tensor::close);
    }
  }
}

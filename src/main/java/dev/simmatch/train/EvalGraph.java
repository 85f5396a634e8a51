package dev.simmatch.train;

import dev.simmatch.config.Config;
import dev.simmatch.config.Precision;
import dev.simmatch.model.Network;
import dev.simmatch.model.Networks;
import dev.simmatch.model.Params;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Inference-mode forward passes of the online and EMA networks, with the same variable names as
 * the training graph so a training checkpoint restores into it (optimizer slots and algorithm
 * state are simply not read). Convolutions and matrix products run in the run's train.precision.
 */
public final class EvalGraph implements AutoCloseable {
  public final Graph graph = new Graph();
  public final Placeholder<TFloat32> images;
  public final Operand<TFloat32> logitsRaw;
  public final Operand<TFloat32> logitsEma;
  /** Pooled encoder features [N,D] of the online weights (k-NN). */
  public final Operand<TFloat32> featuresRaw;

  /** The graph in train.precision as resolved on this CPU. */
  public EvalGraph(Config cfg, int h, int w, int c, int numClasses) {
    this(cfg, h, w, c, numClasses, Precision.resolve(cfg.train().precision()).precision());
  }

  /** @param precision arithmetic of the convolutions and matrix products (train.precision is not read) */
  public EvalGraph(Config cfg, int h, int w, int c, int numClasses, Precision precision) {
    Ops tf = Ops.create(graph);
    images = tf.withName("eval_images").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, h, w, c)));
    Network online = Networks.create(new Params(tf, "", precision), cfg.model().arch(), numClasses, c, cfg.model(), cfg.train().seed());
    Network ema = Networks.create(new Params(tf, "ema/", precision), cfg.model().arch(), numClasses, c, cfg.model(), cfg.train().seed());
    Network.Outputs raw = online.forward(images, false);
    logitsRaw = raw.logits();
    featuresRaw = raw.features();
    logitsEma = ema.forward(images, false).logits();
  }

  public Evaluator evaluator() {
    return new Evaluator(images, logitsRaw, logitsEma);
  }

  @Override
  public void close() {
    graph.close();
  }
}

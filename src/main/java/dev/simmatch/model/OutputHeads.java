package dev.simmatch.model;

import dev.simmatch.UserInputException;
import dev.simmatch.ops.L2Normalize;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The shared tail of every backbone: global average pooling of the last feature map, the
 * classifier and the projection head, either SimMatch's ({@code model.head: simmatch}, unit-norm
 * embedding) or SimCLR's ({@code simclr}, {@link SimclrHead}, the un-normalised head output as
 * embedding). With the SimCLR head the classifier reads {@code hiddens[model.ft_proj_selector]}
 * (0 = the pooled features, k = output of head layer k-1, -1 = the head output). {@code none} has
 * no projection head at all (a distilled student, which learns from logits only): the embedding is
 * then the unit-norm pooled features, so a served student carries no untrained layers.
 */
final class OutputHeads {
  /** The accepted values of {@code model.head}. */
  static final List<String> KINDS = List.of("simmatch", "simclr", "none");

  private final Ops tf;
  private final Linear classifier;
  private final ProjectionHead simmatch;
  private final SimclrHead simclr;
  private final int selector;

  /**
   * @param classifierName PyTorch name of the classifier ({@code backbone.classifier}, {@code backbone.fc})
   * @param features D, channels of the last feature map
   */
  OutputHeads(Params params, long seed, String classifierName, int features, int numClasses, HeadSpec spec) {
    this.tf = params.tf();
    if ("simclr".equals(spec.kind())) {
      if (spec.layers() < 1) {
        throw new UserInputException("model.proj_layers must be >= 1 with model.head simclr, got " + spec.layers());
      }
      int k = spec.selector() == -1 ? spec.layers() : spec.selector();
      if (k < 0 || k > spec.layers()) {
        throw new UserInputException("model.ft_proj_selector must be -1 or in [0, " + spec.layers()
            + "] with model.proj_layers " + spec.layers() + ", got " + spec.selector());
      }
      selector = k;
      simmatch = null;
      simclr = new SimclrHead(params, seed, features, spec.projDim(), spec.layers(), spec.bnMomentum());
      int width = k == spec.layers() ? spec.projDim() : features;
      classifier = new Linear(params, seed, classifierName, width, numClasses);
    } else if ("simmatch".equals(spec.kind()) || "none".equals(spec.kind())) {
      if (spec.selector() != 0) {
        throw new UserInputException("model.ft_proj_selector applies to model.head simclr only, got "
            + spec.selector() + " with model.head " + spec.kind());
      }
      selector = 0;
      simclr = null;
      classifier = new Linear(params, seed, classifierName, features, numClasses);
      simmatch = "none".equals(spec.kind()) ? null : new ProjectionHead(params, seed, features, spec.projDim());
    } else {
      throw new UserInputException("model.head: unknown head '" + spec.kind() + "', expected one of " + KINDS);
    }
  }

  /** @param featureMap [N,H,W,D] -> logits [N,C], embedding [N,P], pooled features [N,D] */
  Network.Outputs apply(Operand<TFloat32> featureMap, boolean training, List<Op> statisticUpdates) {
    Operand<TFloat32> features = tf.math.mean(featureMap, tf.constant(new int[] {1, 2}));
    if (simclr == null) {
      Operand<TFloat32> logits = classifier.apply(features);
      Operand<TFloat32> embedding = simmatch == null ? L2Normalize.rows(tf, features) : simmatch.apply(features);
      return new Network.Outputs(logits, embedding, features, List.copyOf(statisticUpdates));
    }
    List<Op> updates = new ArrayList<>(statisticUpdates);
    SimclrHead.Layers head = simclr.apply(features, training, updates);
    return new Network.Outputs(
        classifier.apply(head.hiddens().get(selector)), head.output(), features, List.copyOf(updates));
  }
}

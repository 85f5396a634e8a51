package dev.simmatch.algorithms;

import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Tensor;

/**
 * Values an algorithm draws on the host for each step (e.g. MixUp's coefficient and permutation)
 * and feeds into placeholders of its own. They must be a function of the run's seed and the step
 * only, so a resumed run repeats them.
 */
@FunctionalInterface
public interface StepFeeds {
  StepFeeds NONE = step -> Map.of();

  /**
   * @param step the step being taken (0-based)
   * @return placeholder to value; the caller feeds and then closes the tensors
   */
  Map<Operand<?>, Tensor> forStep(long step);
}

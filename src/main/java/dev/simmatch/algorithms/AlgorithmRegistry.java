package dev.simmatch.algorithms;

import dev.simmatch.config.Config;
import java.util.List;

/** Creates the algorithm named by {@code algorithm.name}. */
public final class AlgorithmRegistry {
  /** Known names, in the order they are listed to users. */
  public static final List<String> NAMES =
      List.of(Supervised.NAME, FixMatch.NAME, SimMatch.NAME, ReMixMatch.NAME, SimClr.NAME, Distill.NAME);

  private AlgorithmRegistry() {}

  /**
   * @param numClasses C
   * @param bankSize K, the number of labeled images (SimMatch's memory bank rows)
   * @param embeddingDim D, the projection size
   * @throws dev.simmatch.UserInputException if a config value is unknown or out of range
   */
  public static Algorithm create(Config config, int numClasses, int bankSize, int embeddingDim) {
    return create(config, numClasses, bankSize, embeddingDim, null);
  }

  /**
   * As {@link #create(Config, int, int, int)}, with the labeled set's class distribution [C], which
   * {@code da: ema} with {@code da_target: labeled} needs (ReMixMatch's p_target).
   */
  public static Algorithm create(
      Config config, int numClasses, int bankSize, int embeddingDim, float[] labeledDistribution) {
    String name = Checks.choice("name", config.algorithm().name(), NAMES.toArray(String[]::new));
    return switch (name) {
      case Supervised.NAME -> new Supervised(numClasses);
      case FixMatch.NAME -> new FixMatch(config.algorithm(), numClasses);
      case ReMixMatch.NAME -> new ReMixMatch(config, numClasses, labeledDistribution);
      case SimClr.NAME -> new SimClr(config);
      case Distill.NAME -> new Distill(config, numClasses);
      default -> new SimMatch(config, numClasses, bankSize, embeddingDim, labeledDistribution);
    };
  }
}

package dev.simmatch.algorithms;

import dev.simmatch.UserInputException;
import dev.simmatch.config.Config;
import dev.simmatch.ops.DistributionAlignment;
import dev.simmatch.ops.EmaAlignment;
import dev.simmatch.ops.NoAlignment;
import dev.simmatch.ops.QueueAlignment;
import java.util.Arrays;
import org.tensorflow.op.Ops;

/** Builds the distribution alignment named by {@code algorithm.da}. */
public final class Alignments {
  private Alignments() {}

  /**
   * @param tf graph ops (the state variables take names in its scope)
   * @param cfg algorithm settings: da, da_len, da_eps, da_momentum, da_target
   * @param labeledDistribution class distribution of the labeled set [C]; needed only for {@code
   *     da: ema} with {@code da_target: labeled}, may be null otherwise
   */
  public static DistributionAlignment create(
      Ops tf, Config.Algorithm cfg, int numClasses, float[] labeledDistribution) {
    String da = cfg.da() == null ? "" : cfg.da();
    return switch (da) {
      case "none" -> new NoAlignment(tf);
      case "queue" -> {
        if (cfg.daLen() < 1) {
          throw new UserInputException(
              "config key algorithm.da_len: expected >= 1, got " + cfg.daLen());
        }
        yield new QueueAlignment(tf, numClasses, cfg.daLen(), checkEps(cfg));
      }
      case "ema" ->
          new EmaAlignment(
              tf, target(cfg, numClasses, labeledDistribution), checkMomentum(cfg), checkEps(cfg));
      default ->
          throw new UserInputException(
              "config key algorithm.da: expected none | queue | ema, got '" + cfg.da() + "'");
    };
  }

  /**
   * Class frequencies {@code counts[c] / sum counts} [C]: the labeled set's distribution that
   * {@code da_target: labeled} aligns to (ReMixMatch's p_target).
   */
  public static float[] classFrequencies(int[] counts) {
    long total = 0;
    for (int n : counts) {
      if (n < 0) {
        throw new IllegalArgumentException("negative class count " + n);
      }
      total += n;
    }
    if (total == 0) {
      throw new IllegalArgumentException("class counts sum to 0");
    }
    float[] p = new float[counts.length];
    for (int c = 0; c < counts.length; c++) {
      p[c] = (float) ((double) counts[c] / total);
    }
    return p;
  }

  private static float[] target(Config.Algorithm cfg, int numClasses, float[] labeled) {
    String kind = cfg.daTarget() == null ? "" : cfg.daTarget();
    switch (kind) {
      case "uniform" -> {
        float[] uniform = new float[numClasses];
        Arrays.fill(uniform, 1f / numClasses);
        return uniform;
      }
      case "labeled" -> {
        if (labeled == null || labeled.length != numClasses) {
          throw new IllegalArgumentException(
              "da_target 'labeled' needs the labeled class distribution with "
                  + numClasses
                  + " entries, got "
                  + (labeled == null ? "none" : labeled.length));
        }
        return labeled.clone();
      }
      default ->
          throw new UserInputException(
              "config key algorithm.da_target: expected uniform | labeled, got '"
                  + cfg.daTarget()
                  + "'");
    }
  }

  private static float checkEps(Config.Algorithm cfg) {
    return Checks.nonNegative("da_eps", cfg.daEps());
  }

  private static float checkMomentum(Config.Algorithm cfg) {
    return Checks.probability("da_momentum", cfg.daMomentum());
  }
}

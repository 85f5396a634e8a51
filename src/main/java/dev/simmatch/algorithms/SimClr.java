package dev.simmatch.algorithms;

import dev.simmatch.UserInputException;
import dev.simmatch.config.Config;
import dev.simmatch.model.Network;
import dev.simmatch.ops.NtXent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * SimCLR (Chen et al., ICML 2020; v2, NeurIPS 2020) contrastive pre-training on the unlabeled
 * images, as google-research/simclr computes it. Each of the N = mu*B images gives two independent
 * SimCLR views (the batcher's "weak" and "strong" slots, both {@code data.strong: simclr}); one
 * training-mode forward covers all 2N views, so BatchNorm sees them together:
 *
 * <pre>
 *   z      = head(encoder([view1; view2]))          [2N,P]   (model.head: simclr)
 *   z1, z2 = z[0:N], z[N:2N]                        [N,P]
 *   loss   = NT-Xent(z1, z2; T, hidden_norm)        (loss_a + loss_b, see {@link NtXent})
 * </pre>
 *
 * No labels are read. Monitors: the loss, {@code contrast_acc} (the positive is the most similar
 * of the N cross-view candidates) and {@code contrast_entropy}.
 */
public final class SimClr implements Algorithm {
  public static final String NAME = "simclr";

  private final float temperature;
  private final boolean hiddenNorm;

  /** @throws UserInputException if the config does not describe a SimCLR run */
  public SimClr(Config config) {
    this.temperature = Checks.positive("temperature", config.algorithm().temperature());
    this.hiddenNorm = config.algorithm().hiddenNorm();
    if (!"simclr".equals(config.model().head())) {
      throw new UserInputException(
          "algorithm simclr needs the SimCLR projection head: set model.head: simclr (got '" + config.model().head() + "')");
    }
    if (!"simclr".equals(config.data().strong())) {
      throw new UserInputException(
          "algorithm simclr needs two SimCLR views: set data.strong: simclr (got '" + config.data().strong() + "')");
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public boolean usesUnlabeled() {
    return true;
  }

  @Override
  public boolean usesLabeled() {
    return false;
  }

  /** The loss on the head outputs of both views; used by {@link #build} and the vector check. */
  public NtXent.Terms objective(Ops tf, Operand<TFloat32> z1, Operand<TFloat32> z2) {
    return NtXent.loss(tf, z1, z2, temperature, hiddenNorm);
  }

  @Override
  public Objective build(Ops tf, Network online, Network ema, StepInputs in) {
    Operand<TInt32> n = Batches.size(tf, in.uWeak());
    // [2N, ...]: view 1 of every image, then view 2
    Network.Outputs out = online.forward(tf.concat(List.of(in.uWeak(), in.uStrong()), tf.constant(0)), true);
    Operand<TFloat32> z1 = Batches.rows(tf, out.embedding(), tf.constant(0), n);
    Operand<TFloat32> z2 = Batches.rows(tf, out.embedding(), n, n);

    NtXent.Terms t = objective(tf, z1, z2);
    Map<String, Operand<TFloat32>> metrics = new LinkedHashMap<>();
    metrics.put("contrast_loss", tf.identity(t.loss()));
    metrics.put("contrast_acc", t.contrastAcc());
    metrics.put("contrast_entropy", t.contrastEntropy());
    return new Objective(t.loss(), metrics, out.statisticUpdates(), waitFor -> List.of());
  }
}

package dev.simmatch.ops;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * SimCLR's contrastive loss (NT-Xent) as the official code computes it on one device
 * (google-research/simclr {@code objective.py:34-88}). With h1, h2 the head outputs of the two
 * views of the same N images, optionally L2-normalised row by row ({@code x * rsqrt(max(sum x^2,
 * 1e-12))}), T the temperature and I the N x N identity:
 *
 * <pre>
 *   logits_ab = h1 h2^T / T              logits_aa = h1 h1^T / T - 1e9 I     [N,N]
 *   logits_ba = h2 h1^T / T              logits_bb = h2 h2^T / T - 1e9 I     [N,N]
 *   ce_a[i]   = CE(onehot(i, 2N), [logits_ab | logits_aa][i])                [N]
 *   ce_b[i]   = CE(onehot(i, 2N), [logits_ba | logits_bb][i])                [N]
 *   loss      = mean(ce_a) + mean(ce_b)     (twice the mean over the 2N anchors)
 * </pre>
 *
 * The self-similarity is masked by subtracting 1e9, not by -inf, as the official code does.
 * Monitors: {@code contrast_acc} = mean_i [argmax_j logits_ab[i,j] == i] and {@code
 * contrast_entropy} = -mean_i sum_j p_ij log(p_ij + 1e-8), p = softmax of the rows of logits_ab.
 */
public final class NtXent {
  static final float LARGE_NUM = 1e9f;
  private static final float MIN_SQUARED_NORM = 1e-12f;
  private static final float ENTROPY_EPS = 1e-8f;

  private NtXent() {}

  /**
   * Every tensor of the loss.
   *
   * @param hidden1 [N,D] view-1 rows as used (normalised when hidden_norm)
   * @param hidden2 [N,D] view-2 rows as used
   * @param labels [N,2N] one-hot, row i hot at column i
   * @param ceA [N], ceB [N] per-row cross-entropies
   * @param loss scalar, lossA + lossB
   */
  public record Terms(
      Operand<TFloat32> hidden1,
      Operand<TFloat32> hidden2,
      Operand<TFloat32> logitsAa,
      Operand<TFloat32> logitsBb,
      Operand<TFloat32> logitsAb,
      Operand<TFloat32> logitsBa,
      Operand<TFloat32> labels,
      Operand<TFloat32> ceA,
      Operand<TFloat32> ceB,
      Operand<TFloat32> lossA,
      Operand<TFloat32> lossB,
      Operand<TFloat32> loss,
      Operand<TFloat32> contrastAcc,
      Operand<TFloat32> contrastEntropy) {}

  /**
   * @param hidden1 [N,D] head outputs of view 1
   * @param hidden2 [N,D] head outputs of view 2 (row i is the same image as row i of hidden1)
   * @param temperature T &gt; 0
   * @param hiddenNorm L2-normalise the rows first (official default true)
   */
  public static Terms loss(
      Ops tf, Operand<TFloat32> hidden1, Operand<TFloat32> hidden2, float temperature, boolean hiddenNorm) {
    if (!(temperature > 0)) {
      throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
    }
    Operand<TFloat32> h1 = hiddenNorm ? normalize(tf, hidden1) : tf.identity(hidden1);
    Operand<TFloat32> h2 = hiddenNorm ? normalize(tf, hidden2) : tf.identity(hidden2);
    Operand<TInt32> n = tf.gather(tf.shape(h1), tf.constant(0), tf.constant(0));
    Operand<TInt32> rows = tf.range(tf.constant(0), n, tf.constant(1));
    Operand<TFloat32> one = tf.constant(1f);
    Operand<TFloat32> zero = tf.constant(0f);
    Operand<TFloat32> masks = tf.oneHot(rows, n, one, zero);
    Operand<TFloat32> labels = tf.oneHot(rows, tf.math.mul(n, tf.constant(2)), one, zero);
    Operand<TFloat32> invT = tf.constant(1f / temperature);
    Operand<TFloat32> selfMask = tf.math.mul(masks, tf.constant(LARGE_NUM));

    Operand<TFloat32> logitsAa = tf.math.sub(similarity(tf, h1, h1, invT), selfMask);
    Operand<TFloat32> logitsBb = tf.math.sub(similarity(tf, h2, h2, invT), selfMask);
    Operand<TFloat32> logitsAb = similarity(tf, h1, h2, invT);
    Operand<TFloat32> logitsBa = similarity(tf, h2, h1, invT);

    Operand<TInt32> columns = tf.constant(1);
    Operand<TFloat32> ceA = CrossEntropy.soft(tf, tf.concat(List.of(logitsAb, logitsAa), columns), labels);
    Operand<TFloat32> ceB = CrossEntropy.soft(tf, tf.concat(List.of(logitsBa, logitsBb), columns), labels);
    Operand<TFloat32> lossA = tf.math.mean(ceA, tf.constant(0));
    Operand<TFloat32> lossB = tf.math.mean(ceB, tf.constant(0));
    Operand<TFloat32> loss = tf.math.add(lossA, lossB);

    Operand<TFloat32> hits =
        tf.dtypes.cast(tf.math.equal(tf.math.argMax(logitsAb, columns, TInt32.class), rows), TFloat32.class);
    Operand<TFloat32> contrastAcc = tf.math.mean(hits, tf.constant(0));
    Operand<TFloat32> p = tf.nn.softmax(tf.stopGradient(logitsAb));
    Operand<TFloat32> rowEntropy =
        tf.reduceSum(tf.math.mul(p, tf.math.log(tf.math.add(p, tf.constant(ENTROPY_EPS)))), columns);
    Operand<TFloat32> contrastEntropy = tf.math.neg(tf.math.mean(rowEntropy, tf.constant(0)));
    return new Terms(h1, h2, logitsAa, logitsBb, logitsAb, logitsBa, labels, ceA, ceB, lossA, lossB, loss,
        contrastAcc, contrastEntropy);
  }

  /**
   * The loss each of R replicas would compute when the N images are split into R equal blocks
   * and the embeddings are gathered across replicas (official distributed form): replica r owns
   * rows r*N/R .. (r+1)*N/R - 1 and its loss is mean(ce_a over them) + mean(ce_b over them). The
   * mean of the R values is {@link Terms#loss}.
   *
   * @return [R]
   */
  public static Operand<TFloat32> lossPerReplica(Ops tf, Terms t, int replicas) {
    Operand<TInt32> shape = tf.constant(new int[] {replicas, -1});
    Operand<TInt32> perRow = tf.constant(1);
    return tf.math.add(
        tf.math.mean(tf.reshape(t.ceA(), shape), perRow), tf.math.mean(tf.reshape(t.ceB(), shape), perRow));
  }

  /** [N,D] -> [N,D]: x * rsqrt(max(sum_d x^2, 1e-12)), as tf.math.l2_normalize. */
  static Operand<TFloat32> normalize(Ops tf, Operand<TFloat32> x) {
    Operand<TFloat32> squared = tf.reduceSum(tf.math.square(x), tf.constant(1), ReduceSum.keepDims(true));
    return tf.math.mul(x, tf.math.rsqrt(tf.math.maximum(squared, tf.constant(MIN_SQUARED_NORM))));
  }

  /** a b^T / T: [N,D] x [M,D] -> [N,M]. */
  private static Operand<TFloat32> similarity(Ops tf, Operand<TFloat32> a, Operand<TFloat32> b, Operand<TFloat32> invT) {
    return tf.math.mul(tf.linalg.matMul(a, b, org.tensorflow.op.linalg.MatMul.transposeB(true)), invT);
  }
}

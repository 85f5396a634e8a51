package dev.simmatch.model;

import dev.simmatch.config.Precision;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TFloat32;

/**
 * SimCLR's non-linear projection head (google-research/simclr {@code model_util.py:109-177}) with
 * L layers on the pooled features h [M,D]:
 *
 * <pre>
 *   layer j &lt; L-1:  out_j = ReLU(BN(in_j W_j))      W_j [D,D], BN with gamma and beta
 *   layer L-1:      out   = BN(in W)               W [D,P], BN with gamma, no beta, no ReLU
 * </pre>
 *
 * Dense layers have no bias; kernels start N(0, 0.01^2), BN eps 1e-5, statistics over all rows
 * (every view of the forward batch). {@link Layers#hiddens} is the official {@code hiddens_list =
 * [h, out_0, ..., out_{L-1}]}: pre-training uses the last entry, fine-tuning entry k
 * ({@code ft_proj_selector}). Names: {@code proj_head.<j>.dense.weight} and {@code
 * proj_head.<j>.bn.*}.
 */
public final class SimclrHead {
  /** Name prefix of every head variable. */
  public static final String PREFIX = "proj_head.";
  private static final float EPS = 1e-5f;
  private static final double KERNEL_STD = 0.01;

  private final Ops tf;
  private final List<Operand<TFloat32>> kernels = new ArrayList<>();
  private final List<BatchNorm1d> norms = new ArrayList<>();
  private final boolean bfloat16;

  /**
   * Every intermediate of one application; lists are indexed by layer j.
   *
   * @param hiddens [h, out_0, ..., out_{L-1}]
   */
  public record Layers(
      List<Operand<TFloat32>> dense,
      List<Operand<TFloat32>> batchMean,
      List<Operand<TFloat32>> batchVar,
      List<Operand<TFloat32>> bn,
      List<Operand<TFloat32>> hiddens) {
    public Operand<TFloat32> output() {
      return hiddens.get(hiddens.size() - 1);
    }
  }

  /**
   * @param features D, width of h and of the inner layers
   * @param projDim P, output width
   * @param layers L &gt;= 1 (SimCLRv1: 2, SimCLRv2: 3)
   * @param bnMomentum weight of the old moving statistics (official 0.9)
   */
  public SimclrHead(Params params, long seed, int features, int projDim, int layers, float bnMomentum) {
    if (layers < 1) {
      throw new IllegalArgumentException("a projection head needs at least one layer, got " + layers);
    }
    this.tf = params.tf();
    // Mixed precision as in Linear: the products in bfloat16, BatchNorm1d and all else float32.
    this.bfloat16 = params.precision() == Precision.BFLOAT16;
    for (int j = 0; j < layers; j++) {
      boolean last = j == layers - 1;
      String name = PREFIX + j;
      Shape kernel = Shape.of(features, last ? projDim : features);
      kernels.add(params.create(name + ".dense.weight", Params.Kind.WEIGHT, Params.Layout.LINEAR_IO,
          Init.normal(tf, seed, name + ".dense.weight", kernel, KERNEL_STD)));
      norms.add(new BatchNorm1d(params, name + ".bn", (int) kernel.get(1), !last, EPS, bnMomentum));
    }
  }

  public int layers() {
    return kernels.size();
  }

  /**
   * @param h [M,D] pooled features
   * @param updates receives the moving-statistic assignments in training mode
   */
  public Layers apply(Operand<TFloat32> h, boolean training, List<Op> updates) {
    List<Operand<TFloat32>> dense = new ArrayList<>();
    List<Operand<TFloat32>> means = new ArrayList<>();
    List<Operand<TFloat32>> vars = new ArrayList<>();
    List<Operand<TFloat32>> bns = new ArrayList<>();
    List<Operand<TFloat32>> hiddens = new ArrayList<>(List.of(h));
    Operand<TFloat32> x = h;
    for (int j = 0; j < kernels.size(); j++) {
      Operand<TFloat32> d =
          bfloat16
              ? tf.dtypes.cast(tf.linalg.matMul(tf.dtypes.cast(x, TBfloat16.class),
                  tf.dtypes.cast(kernels.get(j), TBfloat16.class)), TFloat32.class)
              : tf.linalg.matMul(x, kernels.get(j));
      BatchNorm1d.Applied bn = norms.get(j).apply(d, training, updates);
      x = j < kernels.size() - 1 ? tf.nn.relu(bn.y()) : bn.y();
      dense.add(d);
      means.add(bn.batchMean());
      vars.add(bn.batchVar());
      bns.add(bn.y());
      hiddens.add(x);
    }
    return new Layers(dense, means, vars, bns, hiddens);
  }
}

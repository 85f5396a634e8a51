package dev.simmatch.algorithms;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The per-step placeholders fed by the trainer. Images are normalised float NHWC. In a multi-worker
 * run the image tensors hold this worker's rows only (its shard: B/W labeled, mu*B/W of each
 * unlabeled view), which only the network's forward reads; the labels and indices cover the whole
 * global batch, so the batch sizes B and mu*B are read off {@code y} and {@code uLabels}.
 *
 * @param x [B,H,W,C] labeled images (weak view)
 * @param y [B] labels
 * @param indexX [B] rows of the labeled images in the labeled list (memory bank rows)
 * @param uWeak [mu*B,H,W,C] weak views of the unlabeled images
 * @param uStrongViews K tensors [mu*B,H,W,C]: independent strong views of the same images (K =
 *     {@link Algorithm#strongViews()}, at least 1)
 * @param uRotated [mu*B,H,W,C] the first strong view rotated counter-clockwise by 90*r degrees, or
 *     null when the algorithm does not use it
 * @param uRotation [mu*B] r in 0..3, or null
 * @param uLabels [mu*B] true labels of the unlabeled images, for monitoring and the batch size only
 *     (never in a loss)
 * @param step scalar, the step being taken (0-based)
 */
public record StepInputs(
    Operand<TFloat32> x,
    Operand<TInt32> y,
    Operand<TInt32> indexX,
    Operand<TFloat32> uWeak,
    List<Operand<TFloat32>> uStrongViews,
    Operand<TFloat32> uRotated,
    Operand<TInt32> uRotation,
    Operand<TInt32> uLabels,
    Operand<TInt64> step) {

  public StepInputs {
    if (uStrongViews.isEmpty()) {
      throw new IllegalArgumentException("at least one strong view placeholder is needed");
    }
    uStrongViews = List.copyOf(uStrongViews);
  }

  /** One strong view per image and no rotated view (FixMatch, SimMatch). */
  public StepInputs(
      Operand<TFloat32> x,
      Operand<TInt32> y,
      Operand<TInt32> indexX,
      Operand<TFloat32> uWeak,
      Operand<TFloat32> uStrong,
      Operand<TInt32> uLabels,
      Operand<TInt64> step) {
    this(x, y, indexX, uWeak, List.of(uStrong), null, null, uLabels, step);
  }

  /** The first strong view [mu*B,H,W,C]. */
  public Operand<TFloat32> uStrong() {
    return uStrongViews.get(0);
  }
}

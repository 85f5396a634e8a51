package dev.simmatch.data;

/**
 * The inputs of one training step, normalised float32 NHWC. With {@code unlabeledSize == 0} (a
 * supervised run) the unlabeled arrays are empty.
 *
 * @param step the optimisation step this batch belongs to
 * @param batchSize B, labeled images
 * @param unlabeledSize mu*B unlabeled images (0 when unlabeled views are skipped)
 * @param x [B*H*W*C] weak views of the labeled images
 * @param y [B] their classes
 * @param indexX [B] positions in the labeled index list (memory-bank rows)
 * @param uWeak [mu*B*H*W*C] weak views of the unlabeled images
 * @param uStrongViews K arrays [mu*B*H*W*C]: independent strong views of the same images, in the
 *     same order (K = 1 for FixMatch and SimMatch)
 * @param uRotated [mu*B*H*W*C] the first strong view rotated counter-clockwise by 90*r degrees, or
 *     empty when not asked for
 * @param uRotation [mu*B] r in 0..3 per image, or empty
 * @param uLabels [mu*B] true classes of the unlabeled images (for monitoring), -1 if unknown
 * @param uIndex [mu*B] indices in the unlabeled set: train images first, then extra images
 */
public record SslBatch(
    long step,
    int batchSize,
    int unlabeledSize,
    int h,
    int w,
    int c,
    float[] x,
    int[] y,
    int[] indexX,
    float[] uWeak,
    float[][] uStrongViews,
    float[] uRotated,
    int[] uRotation,
    int[] uLabels,
    int[] uIndex) {

  /** The first strong view [mu*B*H*W*C]. */
  public float[] uStrong() {
    return uStrongViews[0];
  }
}

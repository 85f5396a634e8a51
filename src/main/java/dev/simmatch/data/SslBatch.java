package dev.simmatch.data;

/**
 * The inputs of one training step, normalised float32 NHWC. With {@code unlabeledSize == 0} (a
 * supervised run) the unlabeled arrays are empty.
 *
 * <p>A shard (worker {@code shard} of {@code shards} in a multi-worker run) holds the images of its
 * rows only: rows {@code [shard*N/shards, (shard+1)*N/shards)} of every image array, N = B for
 * {@code x} and mu*B for the unlabeled views. The per-image integers ({@code y}, {@code indexX},
 * {@code uRotation}, {@code uLabels}, {@code uIndex}) always cover the whole global batch. With one
 * shard the batch is whole.
 *
 * @param step the optimisation step this batch belongs to
 * @param batchSize B, labeled images
 * @param unlabeledSize mu*B unlabeled images (0 when unlabeled views are skipped)
 * @param shard which shard of the images this batch holds, 0 &lt;= shard &lt; shards
 * @param shards how many shards the global batch is split into (divides B)
 * @param x [B*H*W*C] weak views of the labeled images (their shard's rows: [B/shards*H*W*C])
 * @param y [B] their classes
 * @param indexX [B] positions in the labeled index list (memory-bank rows)
 * @param uWeak [mu*B*H*W*C] weak views of the unlabeled images (all unlabeled views: the shard's
 *     rows, mu*B/shards images)
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
    int shard,
    int shards,
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

  /** Labeled images in the image arrays: B/shards. */
  public int labeledRows() {
    return batchSize / shards;
  }

  /** Unlabeled images in each unlabeled view array: mu*B/shards. */
  public int unlabeledRows() {
    return unlabeledSize / shards;
  }

  /** The first strong view [mu*B*H*W*C]. */
  public float[] uStrong() {
    return uStrongViews[0];
  }
}

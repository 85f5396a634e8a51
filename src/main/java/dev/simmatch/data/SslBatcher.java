package dev.simmatch.data;

import dev.simmatch.data.augment.RandomSource;
import dev.simmatch.data.augment.Rotation;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Endless semi-supervised batches, step after step from {@code startStep}: B labeled weak views
 * and mu*B unlabeled images, each as a weak view and K strong views (K = 1 unless asked for more),
 * optionally with the first strong view rotated by 90*r degrees (ReMixMatch), normalised float
 * NHWC.
 *
 * <p>Batch s is a pure function of (seed, s), whatever the worker count, so a run resumed at step
 * k gets the batches a run from 0 got at k, k+1, ...:
 *
 * <ul>
 *   <li>labeled positions: B independent uniform draws from (seed, s) when drawing with
 *       replacement; otherwise positions s*B .. s*B+B-1 of a sequence of per-epoch permutations
 *       of the labeled list ({@link EpochOrder});
 *   <li>unlabeled images: positions s*mu*B .. of a sequence of per-epoch permutations of the
 *       unlabeled set (every train image, then every extra image);
 *   <li>the random numbers of a labeled view come from (seed, s, slot); those of an unlabeled
 *       view from (seed, epoch, image index, weak|strong) and, for strong views after the first,
 *       the view number; the rotation r from (seed, epoch, image index, rotation).
 * </ul>
 *
 * <p>Every image's random numbers are thus keyed by its row of the global batch (labeled) or its
 * image and epoch (unlabeled), never by what was built before it, so any subset of rows can be built
 * alone. A sharded batcher (shard w of W, a multi-worker run) decodes and augments only rows
 * {@code [w*N/W, (w+1)*N/W)} of every part (N = B labeled, mu*B for each unlabeled view), which are
 * byte for byte those rows of the unsharded batch; the composition of the step (which images, their
 * labels and indices) is planned whole on every shard.
 *
 * <p>With workers &gt; 0, a pool of that many threads builds whole batches ahead of the consumer,
 * keeping {@code prefetch} batches in flight; with 0 the caller's thread builds each batch in
 * {@link #next}. {@link #next} must be called from one thread.
 */
public final class SslBatcher implements AutoCloseable {
  private static final long LABELED_DRAW = 1;
  private static final long LABELED_ORDER = 2;
  private static final long UNLABELED_ORDER = 3;
  private static final long LABELED_VIEW = 4;
  private static final long UNLABELED_WEAK = 5;
  private static final long UNLABELED_STRONG = 6;
  private static final long UNLABELED_ROTATION = 7;

  private final Dataset train;
  private final Dataset extra;
  private final int[] labeledIdx;
  private final Views views;
  private final Normalizer norm;
  private final int batchSize;
  private final int unlabeledSize;
  private final int strongViews;
  private final boolean rotatedView;
  private final boolean labeledWithReplacement;
  private final long seed;
  private final int shard;
  private final int shards;
  private final EpochOrder labeledOrder;
  private final EpochOrder unlabeledOrder;
  private final ExecutorService pool;
  private final ArrayDeque<Future<SslBatch>> pending = new ArrayDeque<>();
  private long nextPlanned;
  private boolean closed;

  /** Which images make up one step, decided in the consumer's thread. */
  private record Plan(long step, int[] labeledPos, int[] unlabeled, long[] unlabeledEpoch) {}

  /**
   * A builder of a batcher over {@code train}'s images and its labeled split, with these views and
   * normaliser.
   *
   * @param train training images; labeledIdx indexes into it
   * @param labeledIdx the labeled split; batch row i has indexX = its position in this list
   */
  public static Builder builder(Dataset train, int[] labeledIdx, Views views, Normalizer norm) {
    return new Builder(train, labeledIdx, views, norm);
  }

  /**
   * The settings of a batcher. {@link #batchSize(int)} and {@link #mu(int)} have no default and must
   * be set; the others default to: no extra images, labeled images drawn with replacement, unlabeled
   * views on, seed 0, no workers (batches built in the caller's thread), prefetch 1, start step 0,
   * one strong view, no rotated view, shard 0 of 1 (whole batches).
   */
  public static final class Builder {
    private final Dataset train;
    private final int[] labeledIdx;
    private final Views views;
    private final Normalizer norm;
    private Dataset extra;
    private Integer batchSize;
    private Integer mu;
    private boolean labeledWithReplacement = true;
    private boolean withUnlabeled = true;
    private long seed;
    private int workers;
    private int prefetch = 1;
    private long startStep;
    private int strongViews = 1;
    private boolean rotatedView;
    private int shard;
    private int shards = 1;

    private Builder(Dataset train, int[] labeledIdx, Views views, Normalizer norm) {
      this.train = train;
      this.labeledIdx = labeledIdx;
      this.views = views;
      this.norm = norm;
    }

    /** @param extra extra unlabeled images (same shape), or null */
    public Builder extra(Dataset extra) {
      this.extra = extra;
      return this;
    }

    /** @param batchSize B, labeled images per batch */
    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    /** @param mu unlabeled images per labeled image */
    public Builder mu(int mu) {
      this.mu = mu;
      return this;
    }

    /** @param labeledWithReplacement true: B uniform draws a step; false: per-epoch permutations */
    public Builder labeledWithReplacement(boolean labeledWithReplacement) {
      this.labeledWithReplacement = labeledWithReplacement;
      return this;
    }

    /** @param withUnlabeled false: skip the unlabeled views (supervised runs) */
    public Builder withUnlabeled(boolean withUnlabeled) {
      this.withUnlabeled = withUnlabeled;
      return this;
    }

    /** @param seed what the orders and the augmentations are drawn from */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** @param workers threads building batches; 0 builds them in the caller's thread */
    public Builder workers(int workers) {
      this.workers = workers;
      return this;
    }

    /** @param prefetch batches in flight when workers &gt; 0; fewer than workers leaves some idle */
    public Builder prefetch(int prefetch) {
      this.prefetch = prefetch;
      return this;
    }

    /** @param startStep the step of the first batch returned */
    public Builder startStep(long startStep) {
      this.startStep = startStep;
      return this;
    }

    /**
     * @param strongViews K &gt;= 0 strong views per unlabeled image (0: weak views only); view 0 is
     *     the one a K = 1 batcher makes
     */
    public Builder strongViews(int strongViews) {
      this.strongViews = strongViews;
      return this;
    }

    /**
     * @param rotatedView also the first strong view rotated counter-clockwise by 90*r degrees, r
     *     uniform in 0..3 per image (ReMixMatch; square images and strong views &gt;= 1 only)
     */
    public Builder rotatedView(boolean rotatedView) {
      this.rotatedView = rotatedView;
      return this;
    }

    /**
     * Builds the images of one shard of every batch only (see the class comment).
     *
     * @param shard the shard whose images are built, 0 &lt;= shard &lt; shards
     * @param shards shards of the global batch (1: whole batches); must divide B
     */
    public Builder shard(int shard, int shards) {
      this.shard = shard;
      this.shards = shards;
      return this;
    }

    /**
     * The batcher; with workers, it starts building batches at once.
     *
     * @throws IllegalStateException if batchSize or mu was not set
     * @throws IllegalArgumentException if a setting is out of range or the inputs do not fit together
     */
    public SslBatcher build() {
      if (batchSize == null) {
        throw new IllegalStateException("batch size not set: call batchSize(int) before build()");
      }
      if (mu == null) {
        throw new IllegalStateException("mu not set: call mu(int) before build()");
      }
      check(batchSize >= 1, "batch size must be >= 1, got " + batchSize);
      check(mu >= 0, "mu must be >= 0, got " + mu);
      check(workers >= 0, "workers must be >= 0, got " + workers);
      check(workers == 0 || prefetch >= 1, "prefetch must be >= 1 with workers, got " + prefetch);
      check(startStep >= 0, "start step must be >= 0, got " + startStep);
      check(strongViews >= 0, "strong views must be >= 0, got " + strongViews);
      check(shards >= 1 && batchSize % shards == 0, "shards must be >= 1 and divide the batch size " + batchSize
          + ", got " + shards);
      check(shard >= 0 && shard < shards, "shard must be in 0.." + (shards - 1) + ", got " + shard);
      check(strongViews >= 1 || !rotatedView, "the rotated view is made from the first strong view: strong views must be >= 1");
      check(!rotatedView || train.height() == train.width(),
          "the rotated view needs square images, " + train.name() + " has " + train.height() + "x" + train.width());
      check(labeledIdx.length > 0, "the labeled index list is empty");
      check(norm.channels() == train.channels(),
          "normaliser has " + norm.channels() + " channels, " + train.name() + " has " + train.channels());
      for (int i : labeledIdx) {
        check(i >= 0 && i < train.size(), "labeled index " + i + " outside " + train.name() + " (" + train.size() + " images)");
      }
      if (extra != null) {
        check(extra.height() == train.height() && extra.width() == train.width() && extra.channels() == train.channels(),
            extra.name() + " images are " + extra.height() + "x" + extra.width() + "x" + extra.channels() + ", "
                + train.name() + " images " + train.height() + "x" + train.width() + "x" + train.channels());
      }
      return new SslBatcher(this);
    }
  }

  private SslBatcher(Builder b) {
    this.train = b.train;
    this.extra = b.extra;
    this.labeledIdx = b.labeledIdx.clone();
    this.views = b.views;
    this.norm = b.norm;
    this.batchSize = b.batchSize;
    this.unlabeledSize = b.withUnlabeled ? b.mu * b.batchSize : 0;
    this.strongViews = b.strongViews;
    this.rotatedView = b.rotatedView;
    this.labeledWithReplacement = b.labeledWithReplacement;
    this.seed = b.seed;
    this.shard = b.shard;
    this.shards = b.shards;
    this.labeledOrder = new EpochOrder(b.labeledIdx.length, b.seed, LABELED_ORDER);
    this.unlabeledOrder =
        new EpochOrder(b.train.size() + (b.extra == null ? 0 : b.extra.size()), b.seed, UNLABELED_ORDER);
    this.nextPlanned = b.startStep;
    if (b.workers == 0) {
      this.pool = null;
    } else {
      AtomicInteger count = new AtomicInteger();
      this.pool = Executors.newFixedThreadPool(b.workers, r -> {
        Thread t = new Thread(r, "ssl-batcher-" + count.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
      for (int i = 0; i < b.prefetch; i++) {
        submitNext();
      }
    }
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /** The batch of the next step. */
  public SslBatch next() {
    if (closed) {
      throw new IllegalStateException("SslBatcher is closed");
    }
    if (pool == null) {
      return build(plan(nextPlanned++));
    }
    Future<SslBatch> head = pending.removeFirst();
    submitNext();
    try {
      return head.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a batch", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException("building a batch failed", e.getCause());
    }
  }

  private void submitNext() {
    Plan plan = plan(nextPlanned++);
    pending.addLast(pool.submit(() -> build(plan)));
  }

  /** The composition of step s: cheap, sequential, and a function of (seed, s) only. */
  private Plan plan(long step) {
    int[] pos = new int[batchSize];
    if (labeledWithReplacement) {
      RandomSource rng = RandomSource.of(seed, LABELED_DRAW, step);
      for (int i = 0; i < batchSize; i++) {
        pos[i] = rng.nextInt(labeledIdx.length);
      }
    } else {
      for (int i = 0; i < batchSize; i++) {
        pos[i] = labeledOrder.at(step * batchSize + i);
      }
    }
    int[] unlabeled = new int[unlabeledSize];
    long[] epochs = new long[unlabeledSize];
    for (int j = 0; j < unlabeledSize; j++) {
      long p = step * unlabeledSize + j;
      unlabeled[j] = unlabeledOrder.at(p);
      epochs[j] = p / unlabeledOrder.size();
    }
    return new Plan(step, pos, unlabeled, epochs);
  }

  private SslBatch build(Plan plan) {
    int h = train.height();
    int w = train.width();
    int c = train.channels();
    int bytes = train.imageBytes();
    byte[] image = new byte[bytes];
    int xRows = batchSize / shards;
    int xFirst = shard * xRows;
    float[] x = new float[xRows * bytes];
    int[] y = new int[batchSize];
    int[] indexX = plan.labeledPos().clone();
    for (int i = 0; i < batchSize; i++) {
      int idx = labeledIdx[plan.labeledPos()[i]];
      y[i] = train.labels()[idx];
      if (i >= xFirst && i < xFirst + xRows) {
        System.arraycopy(train.pixels(), idx * bytes, image, 0, bytes);
        byte[] weak = views.weak().apply(image, h, w, c, RandomSource.of(seed, LABELED_VIEW, plan.step(), i));
        norm.toFloat(weak, x, (i - xFirst) * bytes);
      }
    }
    int uRows = unlabeledSize / shards;
    int uFirst = shard * uRows;
    float[] uWeak = new float[uRows * bytes];
    float[][] uStrong = new float[strongViews][uRows * bytes];
    float[] uRotated = new float[rotatedView ? uRows * bytes : 0];
    int[] uRotation = new int[rotatedView ? unlabeledSize : 0];
    int[] uLabels = new int[unlabeledSize];
    for (int j = 0; j < unlabeledSize; j++) {
      int u = plan.unlabeled()[j];
      long epoch = plan.unlabeledEpoch()[j];
      uLabels[j] = u < train.size() ? train.labels()[u] : extra.labels()[u - train.size()];
      if (rotatedView) {
        uRotation[j] = RandomSource.of(seed, UNLABELED_ROTATION, epoch, u).nextInt(4);
      }
      if (j < uFirst || j >= uFirst + uRows) {
        continue;
      }
      int at = (j - uFirst) * bytes;
      if (u < train.size()) {
        System.arraycopy(train.pixels(), u * bytes, image, 0, bytes);
      } else {
        System.arraycopy(extra.pixels(), (u - train.size()) * bytes, image, 0, bytes);
      }
      byte[] weak = views.weak().apply(image, h, w, c, RandomSource.of(seed, UNLABELED_WEAK, epoch, u));
      norm.toFloat(weak, uWeak, at);
      byte[] first = null;
      for (int k = 0; k < strongViews; k++) {
        // View 0 keeps the keys of a one-view batcher, so FixMatch/SimMatch batches are unchanged.
        RandomSource rs = k == 0
            ? RandomSource.of(seed, UNLABELED_STRONG, epoch, u)
            : RandomSource.of(seed, UNLABELED_STRONG, epoch, u, k);
        byte[] strong = views.strong().apply(image, h, w, c, rs);
        norm.toFloat(strong, uStrong[k], at);
        if (k == 0) {
          first = strong;
        }
      }
      if (rotatedView) {
        norm.toFloat(Rotation.counterClockwise(first, h, w, c, uRotation[j]), uRotated, at);
      }
    }
    return new SslBatch(plan.step(), batchSize, unlabeledSize, shard, shards, h, w, c, x, y, indexX, uWeak, uStrong,
        uRotated, uRotation, uLabels, plan.unlabeled().clone());
  }

  /** Stops the workers; batches in flight are dropped. */
  @Override
  public void close() {
    closed = true;
    if (pool != null) {
      pool.shutdownNow();
    }
    pending.clear();
  }
}

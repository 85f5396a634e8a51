package dev.simmatch.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.simmatch.config.ConfigLoader;
import dev.simmatch.data.augment.WeakView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SslBatcherTest {
  static final int H = 8;
  static final int W = 8;
  static final int C = 3;

  static Dataset dataset(String name, int n, boolean labeled, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    byte[] px = new byte[n * H * W * C];
    for (int i = 0; i < px.length; i++) {
      px[i] = (byte) r.nextInt(256);
    }
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = labeled ? i % 10 : -1;
    }
    return new Dataset(name, H, W, C, px, labels, List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), "memory");
  }

  static final Dataset TRAIN = dataset("toy/train", 20, true, 1);
  static final Dataset EXTRA = dataset("toy/extra", 5, false, 2);
  static final int[] LABELED = {3, 7, 11, 12, 15, 19};
  static final Normalizer NORM = new Normalizer(new float[] {0.5f, 0.4f, 0.3f}, new float[] {0.25f, 0.2f, 0.3f});
  static final Views VIEWS = Views.fromConfig(ConfigLoader.defaults().data(), H, W, C);

  /** The toy settings most tests share: B = 4, mu = 2, seed 42, with the extra images. */
  static SslBatcher.Builder toy() {
    return SslBatcher.builder(TRAIN, LABELED, VIEWS, NORM).extra(EXTRA).batchSize(4).mu(2).seed(42);
  }

  static SslBatcher batcher(boolean replacement, boolean unlabeled, int workers, long start) {
    return toy().labeledWithReplacement(replacement).withUnlabeled(unlabeled).workers(workers).prefetch(3)
        .startStep(start).build();
  }

  static List<SslBatch> take(SslBatcher b, int n) {
    List<SslBatch> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(b.next());
    }
    return out;
  }

  static void assertSameBatch(SslBatch a, SslBatch b) {
    assertEquals(a.step(), b.step());
    assertArrayEquals(a.x(), b.x());
    assertArrayEquals(a.y(), b.y());
    assertArrayEquals(a.indexX(), b.indexX());
    assertArrayEquals(a.uWeak(), b.uWeak());
    assertArrayEquals(a.uStrong(), b.uStrong());
    assertArrayEquals(a.uLabels(), b.uLabels());
    assertArrayEquals(a.uIndex(), b.uIndex());
  }

  @Test
  void shapesLabelsAndIndices() {
    try (SslBatcher b = batcher(true, true, 0, 0)) {
      SslBatch batch = b.next();
      assertEquals(0, batch.step());
      assertEquals(4, batch.batchSize());
      assertEquals(8, batch.unlabeledSize());
      assertEquals(4 * H * W * C, batch.x().length);
      assertEquals(8 * H * W * C, batch.uWeak().length);
      assertEquals(8 * H * W * C, batch.uStrong().length);
      for (int i = 0; i < 4; i++) {
        int pos = batch.indexX()[i];
        assertTrue(pos >= 0 && pos < LABELED.length);
        assertEquals(TRAIN.labels()[LABELED[pos]], batch.y()[i]);
      }
      for (int j = 0; j < 8; j++) {
        int u = batch.uIndex()[j];
        assertEquals(u < 20 ? TRAIN.labels()[u] : -1, batch.uLabels()[j]);
      }
      assertFalse(Arrays.equals(batch.uWeak(), batch.uStrong()), "weak and strong views differ");
      assertEquals(1, b.next().step());
    }
  }

  @Test
  void sameBatchesWhateverTheWorkerCount() {
    List<SslBatch> inline;
    try (SslBatcher b = batcher(false, true, 0, 0)) {
      inline = take(b, 8);
    }
    for (int workers : new int[] {1, 3}) {
      try (SslBatcher b = batcher(false, true, workers, 0)) {
        List<SslBatch> pooled = take(b, 8);
        for (int i = 0; i < 8; i++) {
          assertSameBatch(inline.get(i), pooled.get(i));
        }
      }
    }
  }

  @Test
  void resumingAtStepKGivesTheBatchesOfAStraightRun() {
    for (boolean replacement : new boolean[] {true, false}) {
      List<SslBatch> straight;
      try (SslBatcher b = batcher(replacement, true, 2, 0)) {
        straight = take(b, 9);
      }
      try (SslBatcher b = batcher(replacement, true, 2, 6)) {
        for (int k = 6; k < 9; k++) {
          assertSameBatch(straight.get(k), b.next());
        }
      }
    }
  }

  @Test
  void epochsVisitEveryImageOnce() {
    try (SslBatcher b = batcher(false, true, 0, 0)) {
      // 6 labeled, 4 per batch: positions 0..11 are two permutations of 0..5.
      // 25 unlabeled, 8 per batch: positions 0..49 are two permutations of 0..24.
      List<Integer> labeled = new ArrayList<>();
      List<Integer> unlabeled = new ArrayList<>();
      for (SslBatch batch : take(b, 7)) {
        for (int p : batch.indexX()) {
          labeled.add(p);
        }
        for (int u : batch.uIndex()) {
          unlabeled.add(u);
        }
      }
      assertIsPermutation(labeled.subList(0, 6), 6);
      assertIsPermutation(labeled.subList(6, 12), 6);
      assertIsPermutation(unlabeled.subList(0, 25), 25);
      assertIsPermutation(unlabeled.subList(25, 50), 25);
      assertFalse(unlabeled.subList(0, 25).equals(unlabeled.subList(25, 50)), "each epoch has its own order");
    }
  }

  private static void assertIsPermutation(List<Integer> values, int n) {
    int[] sorted = values.stream().mapToInt(Integer::intValue).sorted().toArray();
    int[] want = new int[n];
    Arrays.setAll(want, i -> i);
    assertArrayEquals(want, sorted, values.toString());
  }

  @Test
  void unlabeledViewsDependOnEpochAndImageNotOnStep() {
    // An image seen in two epochs gets different views; the same (epoch, image) always the same.
    try (SslBatcher b = batcher(false, true, 0, 0)) {
      List<SslBatch> batches = take(b, 7);
      int bytes = H * W * C;
      float[][] firstEpochView = new float[25][];
      for (int s = 0; s < 7; s++) {
        SslBatch batch = batches.get(s);
        for (int j = 0; j < 8; j++) {
          long p = s * 8L + j;
          int u = batch.uIndex()[j];
          float[] view = Arrays.copyOfRange(batch.uStrong(), j * bytes, (j + 1) * bytes);
          if (p < 25) {
            firstEpochView[u] = view;
          } else if (p < 50) {
            assertFalse(Arrays.equals(firstEpochView[u], view), "image " + u + " re-augmented in epoch 1");
          }
        }
      }
    }
  }

  @Test
  void supervisedBatchesSkipTheUnlabeledViews() {
    try (SslBatcher b = batcher(true, false, 1, 0)) {
      SslBatch batch = b.next();
      assertEquals(0, batch.unlabeledSize());
      assertEquals(0, batch.uWeak().length);
      assertEquals(0, batch.uStrong().length);
      assertEquals(0, batch.uLabels().length);
      assertEquals(4 * H * W * C, batch.x().length);
    }
  }

  @Test
  void withoutAugmentationTheLabeledBatchIsTheNormalisedImages() {
    Views plain = new Views(new WeakView(false, 0), new WeakView(false, 0));
    try (SslBatcher b = SslBatcher.builder(TRAIN, LABELED, plain, NORM).batchSize(5).mu(1).seed(3).build()) {
      SslBatch batch = b.next();
      int bytes = H * W * C;
      for (int i = 0; i < 5; i++) {
        float[] want = new float[bytes];
        byte[] raw = Arrays.copyOfRange(TRAIN.pixels(), LABELED[batch.indexX()[i]] * bytes, (LABELED[batch.indexX()[i]] + 1) * bytes);
        NORM.toFloat(raw, want, 0);
        assertArrayEquals(want, Arrays.copyOfRange(batch.x(), i * bytes, (i + 1) * bytes));
      }
      assertArrayEquals(batch.uWeak(), batch.uStrong(), "identity views: weak and strong agree");
    }
  }

  @Test
  void seedChangesTheBatches() {
    try (SslBatcher a = batcher(true, true, 0, 0);
        SslBatcher b = toy().seed(43).prefetch(3).build()) {
      assertFalse(Arrays.equals(a.next().uStrong(), b.next().uStrong()));
    }
  }

  @Test
  void badArgumentsAndUseAfterClose() {
    assertThrows(IllegalArgumentException.class,
        () -> SslBatcher.builder(TRAIN, new int[] {20}, VIEWS, NORM).batchSize(4).mu(2).seed(1).build());
    assertThrows(IllegalArgumentException.class,
        () -> SslBatcher.builder(TRAIN, LABELED, VIEWS, new Normalizer(new float[] {0f}, new float[] {1f}))
            .batchSize(4).mu(2).seed(1).build());
    SslBatcher b = batcher(true, true, 1, 0);
    b.close();
    assertThrows(IllegalStateException.class, b::next);
  }

  @Test
  void buildNamesAMissingSettingAndDocumentedDefaultsHold() {
    SslBatcher.Builder noMu = SslBatcher.builder(TRAIN, LABELED, VIEWS, NORM).batchSize(4);
    assertTrue(assertThrows(IllegalStateException.class, noMu::build).getMessage().startsWith("mu not set"));
    SslBatcher.Builder noBatchSize = SslBatcher.builder(TRAIN, LABELED, VIEWS, NORM).mu(2);
    assertTrue(assertThrows(IllegalStateException.class, noBatchSize::build).getMessage().startsWith("batch size not set"));
    try (SslBatcher defaults = SslBatcher.builder(TRAIN, LABELED, VIEWS, NORM).batchSize(4).mu(2).build();
        SslBatcher explicit = SslBatcher.builder(TRAIN, LABELED, VIEWS, NORM).extra(null).batchSize(4).mu(2)
            .labeledWithReplacement(true).withUnlabeled(true).seed(0).workers(0).prefetch(1).startStep(0)
            .strongViews(1).rotatedView(false).shard(0, 1).build()) {
      for (int s = 0; s < 2; s++) {
        SslBatch a = defaults.next();
        SslBatch b = explicit.next();
        assertSameBatch(a, b);
        assertEquals(1, a.uStrongViews().length);
        assertEquals(0, a.uRotation().length);
        assertEquals(1, a.shards());
        assertEquals(s, a.step());
      }
    }
  }

  /** ReMixMatch's views: K strong views, the first one also rotated by 90*r degrees. */
  @Test
  void severalStrongViewsAndTheRotatedFirstView() {
    int bytes = H * W * C;
    try (SslBatcher one = toy().build();
        SslBatcher three = toy().strongViews(3).rotatedView(true).build();
        SslBatcher pooled = toy().workers(2).prefetch(2).strongViews(3).rotatedView(true).build()) {
      for (int s = 0; s < 3; s++) {
        SslBatch a = one.next();
        SslBatch b = three.next();
        SslBatch p = pooled.next();
        assertEquals(1, a.uStrongViews().length);
        assertEquals(0, a.uRotation().length);
        assertEquals(3, b.uStrongViews().length);
        assertArrayEquals(a.uStrong(), b.uStrong(), "view 0 is the one-view batcher's strong view");
        assertArrayEquals(a.uWeak(), b.uWeak());
        assertFalse(Arrays.equals(b.uStrongViews()[0], b.uStrongViews()[1]), "independent strong views");
        assertFalse(Arrays.equals(b.uStrongViews()[1], b.uStrongViews()[2]), "independent strong views");
        for (int k = 0; k < 3; k++) {
          assertArrayEquals(b.uStrongViews()[k], p.uStrongViews()[k], "workers do not change the views");
        }
        assertArrayEquals(b.uRotation(), p.uRotation());
        assertArrayEquals(b.uRotated(), p.uRotated());
        assertEquals(8, b.uRotation().length);
        for (int j = 0; j < 8; j++) {
          int r = b.uRotation()[j];
          assertTrue(r >= 0 && r < 4);
          // Rotating the normalised view is the same pixel permutation as rotating the bytes.
          float[] strong = Arrays.copyOfRange(b.uStrong(), j * bytes, (j + 1) * bytes);
          float[] rotated = Arrays.copyOfRange(b.uRotated(), j * bytes, (j + 1) * bytes);
          for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
              int[] src = switch (r) {
                case 0 -> new int[] {y, x};
                case 1 -> new int[] {x, W - 1 - y};
                case 2 -> new int[] {H - 1 - y, W - 1 - x};
                default -> new int[] {H - 1 - x, y};
              };
              for (int c = 0; c < C; c++) {
                assertEquals(strong[(src[0] * W + src[1]) * C + c], rotated[(y * W + x) * C + c], 0f);
              }
            }
          }
        }
      }
    }
    // No strong view (distillation reads the weak view only): the same weak views, no strong array.
    try (SslBatcher one = toy().build();
        SslBatcher none = toy().strongViews(0).build()) {
      for (int s = 0; s < 2; s++) {
        SslBatch a = one.next();
        SslBatch b = none.next();
        assertEquals(0, b.uStrongViews().length);
        assertArrayEquals(a.uWeak(), b.uWeak());
        assertArrayEquals(a.x(), b.x());
      }
    }
    // The rotated view is made from the first strong view.
    assertThrows(IllegalArgumentException.class,
        () -> toy().strongViews(0).rotatedView(true).build());
    assertThrows(IllegalArgumentException.class,
        () -> toy().strongViews(-1).build());
  }

  /**
   * Shard w of W builds exactly rows [w*N/W, (w+1)*N/W) of every image array of the unsharded batch
   * (labeled, weak, every strong view, rotated view), with the whole batch's labels and indices, at
   * every step, from any start step and with a worker pool.
   */
  @Test
  void shardsAreTheRowsOfTheWholeBatch() {
    int bytes = H * W * C;
    int shards = 2;
    SslBatcher.Builder remix = toy().labeledWithReplacement(false).startStep(3).strongViews(2).rotatedView(true);
    try (SslBatcher whole = remix.build();
        SslBatcher first = remix.shard(0, shards).build();
        SslBatcher second = remix.workers(2).prefetch(2).shard(1, shards).build()) {
      // Steps 3..8 cross epochs of both the labeled (6 images, 4 a step) and the unlabeled (25, 8 a step) orders.
      for (int s = 0; s < 6; s++) {
        SslBatch all = whole.next();
        List<SslBatch> parts = List.of(first.next(), second.next());
        for (int w = 0; w < shards; w++) {
          SslBatch part = parts.get(w);
          assertEquals(all.step(), part.step());
          assertEquals(w, part.shard());
          assertEquals(2, part.labeledRows());
          assertEquals(4, part.unlabeledRows());
          assertArrayEquals(Arrays.copyOfRange(all.x(), w * 2 * bytes, (w + 1) * 2 * bytes), part.x());
          assertArrayEquals(Arrays.copyOfRange(all.uWeak(), w * 4 * bytes, (w + 1) * 4 * bytes), part.uWeak());
          for (int k = 0; k < 2; k++) {
            assertArrayEquals(Arrays.copyOfRange(all.uStrongViews()[k], w * 4 * bytes, (w + 1) * 4 * bytes),
                part.uStrongViews()[k]);
          }
          assertArrayEquals(Arrays.copyOfRange(all.uRotated(), w * 4 * bytes, (w + 1) * 4 * bytes), part.uRotated());
          assertArrayEquals(all.y(), part.y());
          assertArrayEquals(all.indexX(), part.indexX());
          assertArrayEquals(all.uRotation(), part.uRotation());
          assertArrayEquals(all.uLabels(), part.uLabels());
          assertArrayEquals(all.uIndex(), part.uIndex());
        }
      }
    }
    assertThrows(IllegalArgumentException.class,
        () -> toy().shard(0, 3).build());
    assertThrows(IllegalArgumentException.class,
        () -> toy().shard(2, 2).build());
  }
}

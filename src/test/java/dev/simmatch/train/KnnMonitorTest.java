package dev.simmatch.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.simmatch.GraphTester;
import org.junit.jupiter.api.Test;

/** The k-NN vote: the k most similar memory rows vote for their class with their similarity. */
class KnnMonitorTest {
  private static final float[][] MEMORY = {{1, 0}, {0.9f, 0.436f}, {0, 1}, {-1, 0}, {0.6f, 0.8f}};
  private static final int[] LABELS = {0, 0, 1, 2, 1};

  @Test
  void weightedVoteOfTheKNearest() {
    try (GraphTester g = new GraphTester()) {
      var images = g.tf.placeholder(org.tensorflow.types.TFloat32.class);
      float[] q = {0.75f, 0.66f};
      // k=1: the nearest row decides: row 4 (0.978, class 1)
      assertEquals(1, new KnnMonitor(images, images, 1).vote(q, MEMORY, LABELS, 3));
      // k=3: rows 4 (class 1, 0.978), 1 (class 0, 0.963), 0 (class 0, 0.75): class 0 has 1.713
      assertEquals(0, new KnnMonitor(images, images, 3).vote(q, MEMORY, LABELS, 3));
      // k larger than the memory: every row votes, negative similarities count against their class
      assertEquals(0, new KnnMonitor(images, images, 20).vote(new float[] {1, 0}, MEMORY, LABELS, 3));
      assertThrows(IllegalArgumentException.class, () -> new KnnMonitor(images, images, 0));
    }
  }
}

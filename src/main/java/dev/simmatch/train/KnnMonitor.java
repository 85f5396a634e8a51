package dev.simmatch.train;

import dev.simmatch.data.Dataset;
import dev.simmatch.data.EvalBatches;
import dev.simmatch.data.Normalizer;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * How good a representation is without training a classifier: k-nearest-neighbour top-1 on the
 * test set with the labeled split as the memory. Features are the encoder's pooled output (before
 * any projection head), inference mode, un-augmented normalised images, L2-normalised rows;
 * similarity is the cosine; each of the k most similar memory images votes for its class with its
 * similarity as weight, and the class with the largest total wins.
 */
public final class KnnMonitor {
  private final Operand<TFloat32> images;
  private final Operand<TFloat32> features;
  private final int k;

  /**
   * @param images the evaluation placeholder [N,H,W,C]
   * @param features pooled features [N,D] computed from it
   * @param k neighbours (at most the memory size is used)
   */
  public KnnMonitor(Operand<TFloat32> images, Operand<TFloat32> features, int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, got " + k);
    }
    this.images = images;
    this.features = features;
    this.k = k;
  }

  /**
   * @param train training images; {@code labeled} indexes the memory into it
   * @return test top-1 in percent
   */
  public double top1(Session session, Dataset train, int[] labeled, Dataset test, Normalizer norm, int batchSize) {
    int bytes = train.imageBytes();
    float[] memImages = new float[labeled.length * bytes];
    int[] memLabels = new int[labeled.length];
    for (int i = 0; i < labeled.length; i++) {
      norm.toFloat(train.pixels(), labeled[i] * bytes, bytes, memImages, i * bytes);
      memLabels[i] = train.labels()[labeled[i]];
    }
    float[][] memory = unitRows(session, memImages, labeled.length, train);
    int classes = train.numClasses();
    long hits = 0;
    int n = 0;
    for (EvalBatches.Batch b : new EvalBatches(test, norm, batchSize)) {
      float[][] query = unitRows(session, b.images(), b.labels().length, test);
      for (int q = 0; q < query.length; q++) {
        hits += vote(query[q], memory, memLabels, classes) == b.labels()[q] ? 1 : 0;
      }
      n += query.length;
    }
    return 100.0 * hits / n;
  }

  /** The class of the weighted vote of the k most similar memory rows. */
  int vote(float[] query, float[][] memory, int[] memLabels, int classes) {
    int m = memory.length;
    double[] sim = new double[m];
    for (int j = 0; j < m; j++) {
      double dot = 0;
      for (int d = 0; d < query.length; d++) {
        dot += query[d] * memory[j][d];
      }
      sim[j] = dot;
    }
    boolean[] taken = new boolean[m];
    double[] votes = new double[classes];
    for (int picked = 0; picked < Math.min(k, m); picked++) {
      int best = -1;
      for (int j = 0; j < m; j++) {
        if (!taken[j] && (best < 0 || sim[j] > sim[best])) {
          best = j;
        }
      }
      taken[best] = true;
      votes[memLabels[best]] += sim[best];
    }
    int winner = 0;
    for (int c = 1; c < classes; c++) {
      if (votes[c] > votes[winner]) {
        winner = c;
      }
    }
    return winner;
  }

  /** Features of {@code count} normalised images, one unit row each. */
  private float[][] unitRows(Session session, float[] pixels, int count, Dataset shapeOf) {
    Shape shape = Shape.of(count, shapeOf.height(), shapeOf.width(), shapeOf.channels());
    try (TFloat32 in = TFloat32.tensorOf(shape, DataBuffers.of(pixels, true, false));
        Result r = session.runner().feed(images, in).fetch(features).run()) {
      TFloat32 f = (TFloat32) r.get(0);
      int dim = (int) f.shape().get(1);
      float[] all = new float[count * dim];
      f.copyTo(DataBuffers.of(all, false, false));
      float[][] rows = new float[count][dim];
      for (int i = 0; i < count; i++) {
        double sq = 0;
        for (int d = 0; d < dim; d++) {
          sq += all[i * dim + d] * all[i * dim + d];
        }
        double inv = 1.0 / Math.max(Math.sqrt(sq), 1e-12);
        for (int d = 0; d < dim; d++) {
          rows[i][d] = (float) (all[i * dim + d] * inv);
        }
      }
      return rows;
    }
  }
}

package dev.simmatch.data;

import dev.simmatch.config.Config;
import java.util.Locale;

/**
 * Throughput of the input pipeline on a dataset: {@link SslBatcher} batches per second built in
 * the caller's thread and by the worker pool, for a labeled-only (supervised) batcher and for a
 * full semi-supervised one. The views, batch size B and mu come from the config. With W shards,
 * the batcher of one worker of W (shard 0: every shard has the same number of images of each kind).
 */
public final class PipelineBenchmark {
  private PipelineBenchmark() {}

  /**
   * Rates of one configuration of the batcher.
   *
   * @param labeledPerSec labeled weak views per second (labeled-only batcher)
   * @param sslStepsPerSec semi-supervised batches (or shards of them) per second
   * @param sslViewsPerSec views per second in those batches: (B weak + mu*B weak + mu*B strong)/W
   * @param unlabeledPairsPerSec mu*B/W (weak, strong) pairs per second in those batches
   */
  public record Rates(double labeledPerSec, double sslStepsPerSec, double sslViewsPerSec, double unlabeledPairsPerSec) {}

  /**
   * @param single built in the calling thread
   * @param pool built by {@code threads} workers
   */
  public record Result(
      String dataset, int height, int width, int channels, int batchSize, int mu, int shards, int threads,
      double seconds, Rates single, Rates pool) {

    /** A small table for the terminal. */
    public String table() {
      StringBuilder sb = new StringBuilder();
      sb.append(String.format(Locale.ROOT, "data bench: %s, %dx%dx%d, B=%d, mu=%d, %s%.1f s per figure%n",
          dataset, height, width, channels, batchSize, mu,
          shards == 1 ? "" : "one worker's shard (1/" + shards + " of each batch), ", seconds));
      sb.append(String.format(Locale.ROOT, "%-14s %16s %16s %16s %12s%n",
          "", "labeled weak/s", "unlabeled w+s/s", "all views/s", "SSL steps/s"));
      row(sb, "1 thread", single);
      row(sb, "pool (" + threads + ")", pool);
      return sb.toString();
    }

    private static void row(StringBuilder sb, String name, Rates r) {
      sb.append(String.format(Locale.ROOT, "%-14s %16.0f %16.0f %16.0f %12.2f%n",
          name, r.labeledPerSec(), r.unlabeledPairsPerSec(), r.sslViewsPerSec(), r.sslStepsPerSec()));
    }
  }

  /**
   * Runs four timed measurements of {@code seconds} each (after a short warm-up), every image of
   * {@code train} labeled.
   */
  public static Result run(Dataset train, Config cfg, Normalizer norm, int threads, double seconds) {
    return run(train, cfg, norm, threads, seconds, 1);
  }

  /** As above, timing the batcher of one worker of {@code shards} (which must divide B). */
  public static Result run(Dataset train, Config cfg, Normalizer norm, int threads, double seconds, int shards) {
    if (threads < 1) {
      throw new IllegalArgumentException("benchmark threads must be >= 1, got " + threads);
    }
    if (!(seconds > 0)) {
      throw new IllegalArgumentException("benchmark seconds must be > 0, got " + seconds);
    }
    Views views = Views.fromConfig(cfg.data(), train.height(), train.width(), train.channels());
    int[] labeled = new int[train.size()];
    for (int i = 0; i < labeled.length; i++) {
      labeled[i] = i;
    }
    int b = cfg.train().batchSize();
    int mu = cfg.train().mu();
    int prefetch = Math.max(cfg.data().prefetch(), 2 * threads);
    Rates single = rates(train, labeled, views, norm, cfg, 0, prefetch, seconds, shards);
    Rates pool = rates(train, labeled, views, norm, cfg, threads, prefetch, seconds, shards);
    return new Result(train.name(), train.height(), train.width(), train.channels(), b, mu, shards, threads, seconds,
        single, pool);
  }

  private static Rates rates(
      Dataset train, int[] labeled, Views views, Normalizer norm, Config cfg, int workers, int prefetch, double seconds,
      int shards) {
    int b = cfg.train().batchSize();
    int mu = cfg.train().mu();
    SslBatcher.Builder builder = SslBatcher.builder(train, labeled, views, norm)
        .batchSize(b)
        .mu(mu)
        .seed(cfg.train().seed())
        .workers(workers)
        .prefetch(prefetch)
        .shard(0, shards);
    double supervised;
    try (SslBatcher batcher = builder.withUnlabeled(false).build()) {
      supervised = stepsPerSecond(batcher, seconds);
    }
    double ssl;
    try (SslBatcher batcher = builder.withUnlabeled(true).build()) {
      ssl = stepsPerSecond(batcher, seconds);
    }
    return new Rates(supervised * b / shards, ssl, ssl * (b + 2.0 * mu * b) / shards, ssl * mu * b / shards);
  }

  /** Batches per second over {@code seconds}, after a warm-up of a fifth of that (JIT, prefetch fill). */
  private static double stepsPerSecond(SslBatcher batcher, double seconds) {
    long warmupEnd = System.nanoTime() + (long) (seconds * 0.2e9);
    while (System.nanoTime() < warmupEnd) {
      batcher.next();
    }
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    long steps = 0;
    long now;
    do {
      batcher.next();
      steps++;
      now = System.nanoTime();
    } while (now < end);
    return steps / ((now - start) / 1e9);
  }
}

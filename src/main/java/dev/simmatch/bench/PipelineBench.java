package dev.simmatch.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.simmatch.UserInputException;
import dev.simmatch.config.Config;
import dev.simmatch.data.Normalizer;
import dev.simmatch.data.PipelineBenchmark;
import dev.simmatch.data.SyntheticImages;
import java.util.Arrays;

/** Throughput of the augmentation and batching pipeline on random images, for {@code simmatch bench --pipeline}. */
public final class PipelineBench {
  private PipelineBench() {}

  /**
   * Throughput of the input pipeline on random images, with the worker pool (and one thread).
   *
   * @param viewsPerSecond B weak + mu*B weak + mu*B strong views per second (pool)
   * @param unlabeledPairsPerSecond mu*B (weak, strong) pairs per second (pool)
   * @param sslStepsPerSecond semi-supervised batches per second (pool)
   * @param labeledPerSecond weak labeled views per second of a labeled-only batcher (pool)
   * @param singleThreadViewsPerSecond as viewsPerSecond, built in one thread
   */
  public record Measurement(
      @JsonProperty("framework") String framework,
      @JsonProperty("kind") String kind,
      @JsonProperty("size") int size,
      @JsonProperty("channels") int channels,
      @JsonProperty("batch") int batch,
      @JsonProperty("mu") int mu,
      @JsonProperty("workers") int workers,
      @JsonProperty("seconds") double seconds,
      @JsonProperty("views_per_second") double viewsPerSecond,
      @JsonProperty("unlabeled_pairs_per_second") double unlabeledPairsPerSecond,
      @JsonProperty("ssl_steps_per_second") double sslStepsPerSecond,
      @JsonProperty("labeled_per_second") double labeledPerSecond,
      @JsonProperty("single_thread_views_per_second") double singleThreadViewsPerSecond) {}

  /**
   * Runs {@link PipelineBenchmark} on random images of side {@code size}, normalised with mean 0.5
   * and std 0.25, with the views, B and mu of {@code cfg}.
   */
  public static Measurement measure(Config cfg, int size, int channels, int workers, double seconds) {
    if (workers < 1 || !(seconds > 0) || (channels != 1 && channels != 3)) {
      throw new UserInputException("bench --pipeline: need --workers >= 1, --seconds > 0 and --channels 1 or 3; got "
          + workers + ", " + seconds + ", " + channels);
    }
    float[] mean = new float[channels];
    float[] std = new float[channels];
    Arrays.fill(mean, 0.5f);
    Arrays.fill(std, 0.25f);
    PipelineBenchmark.Result r = PipelineBenchmark.run(
        SyntheticImages.of(size + "x" + size + "x" + channels), cfg, new Normalizer(mean, std), workers, seconds);
    return new Measurement("java", "pipeline", size, channels, r.batchSize(), r.mu(), r.threads(), seconds,
        r.pool().sslViewsPerSec(), r.pool().unlabeledPairsPerSec(), r.pool().sslStepsPerSec(),
        r.pool().labeledPerSec(), r.single().sslViewsPerSec());
  }

}

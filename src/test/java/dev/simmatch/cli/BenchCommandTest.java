package dev.simmatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.simmatch.config.Precision;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class BenchCommandTest {
  private static String run(int expectedExit, String... args) {
    CliRun r = CliRun.of(args);
    assertEquals(expectedExit, r.exit(), r.out() + "\n" + r.err());
    return expectedExit == 0 ? r.out() : r.err();
  }

  @ParameterizedTest
  @CsvSource({"supervised, 4", "fixmatch, 12", "simmatch, 12"})
  void oneStepOfTheRealTrainGraphGivesAJsonLine(String algorithm, int imagesPerStep) throws Exception {
    String out = run(0, "bench", "--model", "cnn-small", "--algorithm", algorithm, "--batch", "4", "--mu", "1",
        "--size", "16", "--channels", "1", "--classes", "4", "--steps", "1", "--warmup", "0", "--threads", "1",
        "--json");
    assertEquals(1, out.lines().count(), out);
    JsonNode j = new ObjectMapper().readTree(out);
    assertEquals("java", j.get("framework").asText());
    assertEquals("train_step", j.get("kind").asText());
    assertEquals("cnn-small", j.get("model").asText());
    assertEquals(algorithm, j.get("algorithm").asText());
    assertEquals(4, j.get("batch").asInt());
    assertEquals(1, j.get("mu").asInt());
    assertEquals(1, j.get("steps").asInt());
    // bench_step.py's count: B supervised, B + 2*mu*B semi-supervised
    assertEquals(imagesPerStep, j.get("images_per_step").asInt());
    double ips = j.get("images_per_second").asDouble();
    double ms = j.get("step_ms").asDouble();
    assertTrue(ips > 0 && Double.isFinite(ips), out);
    assertEquals(imagesPerStep, ips * ms / 1000, 1e-6 * imagesPerStep);
    double share = j.get("outside_session_share").asDouble();
    assertTrue(share >= 0 && share < 1, out);
    assertTrue(j.get("peak_rss_mb").asDouble() > 10, out);
  }

  @Test
  void precisionIsResolvedOnThisCpuAndReported() throws Exception {
    String[] base = {"bench", "--model", "cnn-small", "--batch", "2", "--mu", "1", "--size", "8", "--classes", "2",
        "--steps", "1", "--warmup", "0", "--threads", "1", "--json"};
    assertEquals("float32", new ObjectMapper().readTree(run(0, base)).get("precision").asText());
    List<String> auto = new ArrayList<>(List.of(base));
    auto.addAll(List.of("--precision", "auto"));
    JsonNode j = new ObjectMapper().readTree(run(0, auto.toArray(String[]::new)));
    assertEquals(Precision.resolve("auto").precision().key(), j.get("precision").asText());
    List<String> bad = new ArrayList<>(List.of(base));
    bad.addAll(List.of("--precision", "fp16"));
    String err = run(2, bad.toArray(String[]::new));
    assertTrue(err.contains("train.precision") && err.contains("fp16"), err);
  }

  @Test
  void minSecondsKeepsTimingPastTheStepCount() throws Exception {
    String out = run(0, "bench", "--model", "cnn-small", "--batch", "2", "--mu", "1", "--size", "8", "--classes", "2",
        "--steps", "1", "--min-seconds", "0.3", "--warmup", "1", "--threads", "1", "--json");
    JsonNode j = new ObjectMapper().readTree(out);
    int steps = j.get("steps").asInt();
    assertTrue(steps > 1, out);
    assertTrue(steps * j.get("step_ms").asDouble() >= 300, out);
  }

  @Test
  void profileListsTheConvolutionsAmongTheOpTypesOfAStep() {
    String out = run(0, "bench", "--model", "cnn-small", "--batch", "2", "--size", "8", "--steps", "1",
        "--warmup", "1", "--threads", "1", "--profile", "2");
    assertTrue(out.contains("op time per step over 2 traced steps"), out);
    List<String> rows = out.lines().dropWhile(l -> !l.startsWith("op type")).skip(1).toList();
    assertTrue(rows.size() >= 5, out);
    assertTrue(rows.stream().anyMatch(l -> l.matches(".*Conv2D\\s+[0-9.]+\\s+[0-9.]+%\\s+5")), out);
    assertTrue(rows.stream().anyMatch(l -> l.contains("ApplyMomentum")), out);
  }

  @Test
  void textOutputNamesTheFigures() {
    String out = run(0, "bench", "--model", "cnn-small", "--batch", "2", "--size", "8", "--steps", "1",
        "--warmup", "0", "--threads", "1");
    assertTrue(out.contains("images/s") && out.contains("peak RSS") && out.contains("outside session.run"), out);
  }

  @Test
  void pipelineModeCountsViewsOfEveryBatch() throws Exception {
    String out = run(0, "bench", "--pipeline", "--size", "8", "--channels", "1", "--batch", "2", "--mu", "1",
        "--seconds", "0.1", "--workers", "1", "--json");
    JsonNode j = new ObjectMapper().readTree(out);
    assertEquals("pipeline", j.get("kind").asText());
    double steps = j.get("ssl_steps_per_second").asDouble();
    assertTrue(steps > 0, out);
    // each semi-supervised batch holds B weak + mu*B weak + mu*B strong views
    assertEquals(steps * (2 + 2 * 2), j.get("views_per_second").asDouble(), 1e-9 * steps);
    assertEquals(steps * 2, j.get("unlabeled_pairs_per_second").asDouble(), 1e-9 * steps);
  }

  @Test
  void badValuesAreUsageErrors() {
    assertTrue(run(2, "bench", "--batch", "0").contains("--batch"));
    assertTrue(run(2, "bench", "--model", "cnn-small", "--algorithm", "mixmatch", "--size", "8").contains("mixmatch"));
    assertTrue(run(2, "bench", "--model", "cnn-small", "--size", "8", "--steps", "0").contains("--steps"));
    // --set reaches the algorithm
    assertTrue(run(2, "bench", "--model", "cnn-small", "--algorithm", "simmatch", "--size", "8", "--set",
        "algorithm.tau=2").contains("tau"));
  }
}

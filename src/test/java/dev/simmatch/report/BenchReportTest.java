package dev.simmatch.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.simmatch.UserInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class BenchReportTest {
  @TempDir Path tmp;

  /** Two models; cnn-small simmatch is twice as fast in Java; the PyTorch wrn fixmatch run failed. */
  public static final String BENCH = """
      {"host": {"cpu": "test cpu", "cores": 2},
       "runs": [
        {"framework": "java", "kind": "train_step", "model": "wrn28_2", "algorithm": "fixmatch", "batch": 8, "mu": 7,
         "size": 32, "channels": 3, "images_per_step": 120, "images_per_second": 60.0, "step_ms": 2000.0,
         "outside_session_share": 0.01, "peak_rss_mb": 2000},
        {"framework": "pytorch", "model": "wrn28_2", "algorithm": "fixmatch", "batch": 8, "mu": 7, "error": "exit 137"},
        {"framework": "pytorch", "model": "cnn-small", "algorithm": "simmatch", "batch": 32, "mu": 7,
         "images_per_step": 480, "images_per_second": 400.0, "step_ms": 1200.0, "peak_rss_mb": 900},
        {"framework": "java", "kind": "train_step", "model": "cnn-small", "algorithm": "simmatch", "batch": 32, "mu": 7,
         "size": 28, "channels": 1, "images_per_step": 480, "images_per_second": 800.0, "step_ms": 600.0,
         "outside_session_share": 0.02, "peak_rss_mb": 1100},
        {"framework": "java", "kind": "pipeline", "size": 28, "channels": 1, "batch": 32, "mu": 7, "workers": 2,
         "seconds": 3, "views_per_second": 7200.0, "unlabeled_pairs_per_second": 3360.0, "ssl_steps_per_second": 15.0,
         "labeled_per_second": 9000.0, "single_thread_views_per_second": 4000.0}
       ]}
      """;

  @Test
  void pairsJavaAndPytorchAndComputesRatios() throws Exception {
    Path f = tmp.resolve("bench.json");
    Files.writeString(f, BENCH);
    BenchReport r = BenchReport.read(f);
    assertEquals(2, r.steps().size());
    assertTrue(Double.isNaN(r.steps().get(0).ratio()));
    assertEquals(2.0, r.steps().get(1).ratio(), 1e-12);
    String text = r.text();
    assertTrue(text.contains("2.00x"), text);
    assertTrue(text.contains("failed"), text);
    assertTrue(text.contains("cpu: test cpu"), text);
    // pipeline 15 batches/s against 800/480 Java SimMatch steps/s: 9.0x headroom
    assertTrue(text.contains("1.67") && text.contains("9.0x"), text);
    String md = r.markdown();
    assertTrue(md.contains("| cnn-small | simmatch | float32 | 32 | 7 | 480 | 800.0 | 400.0 | 2.00x |"), md);

    Path png = tmp.resolve("chart/bench.png");
    r.writeChart(png);
    assertTrue(RunFixtures.isPng(png, 10_000));
    assertTrue(!r.hasBfloat16() && !md.contains("bfloat16"), md);
  }

  @Test
  void fourWayTablePairsPrecisionsOfTheSameRow() throws Exception {
    Path f = tmp.resolve("bench4.json");
    StringBuilder runs = new StringBuilder();
    String[][] rows = {{"java", "float32", "100"}, {"pytorch", "float32", "80"}, {"java", "bfloat16", "250"},
        {"pytorch", "bfloat16", "200"}};
    for (String[] row : rows) {
      runs.append(runs.length() == 0 ? "" : ",").append(String.format(
          "{\"framework\": \"%s\", \"model\": \"wrn28_2\", \"algorithm\": \"fixmatch\", \"batch\": 64,"
              + " \"mu\": 7, \"precision\": \"%s\", \"images_per_second\": %s}", row[0], row[1], row[2]));
    }
    Files.writeString(f, "{\"runs\": [" + runs + "]}");
    BenchReport r = BenchReport.read(f);
    assertEquals(2, r.steps().size(), "one row per precision");
    assertTrue(r.hasBfloat16());
    String md = r.markdown();
    assertTrue(md.contains("| wrn28_2 | fixmatch | 64 | 100.0 | 250.0 | 80.0 | 200.0 | 2.50x | 2.50x | 1.25x |"), md);
  }

  @Test
  void malformedFilesAreNamed() throws Exception {
    Path f = tmp.resolve("bad.json");
    Files.writeString(f, "{\"runs\": [{\"framework\": \"java\", \"algorithm\": \"fixmatch\"}]}");
    UserInputException e = assertThrows(UserInputException.class, () -> BenchReport.read(f));
    assertTrue(e.getMessage().contains("runs[0]") && e.getMessage().contains("model"), e.getMessage());
    Files.writeString(f, "[1, 2]");
    e = assertThrows(UserInputException.class, () -> BenchReport.read(f));
    assertTrue(e.getMessage().contains("'runs'"), e.getMessage());
  }
}

package dev.simmatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code scripts/bench} and {@code scripts/benchmark-accuracy} as a user does, against the
 * packaged jar, on tiny settings: PyTorch (Debian's python3-torch) for the speed side and Debian's
 * Fashion-MNIST for the accuracy side, both installed by {@code scripts/install-deps --tests}.
 */
class BenchmarkScriptsIT {
  private static final Path ROOT = Path.of("").toAbsolutePath();

  private record Run(int exit, String log) {}

  private static Run script(Path logFile, String... command) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(command));
    cmd.set(0, ROOT.resolve(cmd.get(0)).toString());
    Process p = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true)
        .redirectOutput(logFile.toFile()).start();
    if (!p.waitFor(15, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " ran past 15 minutes; log:\n" + Files.readString(logFile));
    }
    return new Run(p.exitValue(), Files.readString(logFile));
  }

  @Test
  void benchTimesJavaAndPyTorchOnEveryRowAndWritesTableJsonAndChart(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("bench-out");
    Run r = script(tmp.resolve("bench.log"), "scripts/bench", "--out", out.toString(), "--models", "cnn-small",
        "--cnn-batch", "2", "--mu", "1", "--steps", "1", "--min-seconds", "0", "--warmup", "0",
        "--pipeline-seconds", "0.2");
    assertEquals(0, r.exit(), r.log());
    JsonNode bench = new ObjectMapper().readTree(out.resolve("bench.json").toFile());
    assertEquals("keep", bench.path("settings").path("malloc").asText(), bench.toString());
    int java = 0;
    int pytorch = 0;
    int pipelines = 0;
    for (JsonNode run : bench.get("runs")) {
      assertFalse(run.has("error"), run.toString());
      if ("pipeline".equals(run.path("kind").asText())) {
        pipelines++;
        assertTrue(run.get("views_per_second").asDouble() > 0, run.toString());
        continue;
      }
      assertEquals(2, run.get("batch").asInt(), run.toString());
      // B, B + 2*mu*B, or for ReMixMatch (its own mu, 1 by default) B + 4*mu*B
      int perStep = switch (run.get("algorithm").asText()) {
        case "supervised" -> 2;
        case "remixmatch" -> 2 + 4 * 2;
        default -> 2 + 2 * 2;
      };
      assertEquals(perStep, run.get("images_per_step").asInt(), run.toString());
      assertTrue(run.get("images_per_second").asDouble() > 0, run.toString());
      if ("java".equals(run.get("framework").asText())) {
        java++;
      } else {
        assertEquals("pytorch", run.get("framework").asText(), run.toString());
        assertEquals("channels_last", run.get("memory_format").asText(), run.toString());
        pytorch++;
      }
    }
    assertEquals(List.of(4, 4, 1), List.of(java, pytorch, pipelines), bench.toString());
    String table = Files.readString(out.resolve("bench.md"));
    assertEquals(4, table.lines().filter(l -> l.startsWith("| cnn-small") && l.matches(".*\\| [0-9.]+x \\|.*"))
        .count(), table);
    assertTrue(Files.size(out.resolve("bench.png")) > 1000);
  }

  @Test
  void accuracyBenchmarkTrainsReportsAndSkipsFinishedRuns(@TempDir Path tmp) throws Exception {
    Path runs = tmp.resolve("runs");
    // A low threshold so that pseudo-labels pass the mask within 20 steps and their accuracy is plotted.
    String[] command = {"scripts/benchmark-accuracy", "--runs-dir", runs.toString(), "--labels", "40",
        "--seeds", "1", "--steps", "20", "--eval-every", "10", "--set", "algorithm.tau=0.3"};
    Run first = script(tmp.resolve("first.log"), command);
    assertEquals(0, first.exit(), first.log());
    for (String algorithm : List.of("supervised", "fixmatch", "simmatch", "remixmatch")) {
      Path dir = runs.resolve(algorithm + "-fashion-mnist-40-s1-steps20");
      assertTrue(Files.isRegularFile(dir.resolve("result.json")), dir + File.separator + "result.json");
      assertEquals(3, Files.readAllLines(dir.resolve("metrics.csv")).size(), "header + evaluations at steps 10, 20");
    }
    String table = Files.readString(runs.resolve("accuracy.md"));
    for (String algorithm : List.of("supervised", "fixmatch", "simmatch", "remixmatch")) {
      assertTrue(table.contains("| fashion-mnist | 40 | " + algorithm + " | 1 | 20 |"), table);
    }
    for (String plot : List.of("test-accuracy", "pseudo-label-accuracy", "mask-ratio")) {
      assertTrue(Files.size(runs.resolve("plots").resolve(plot + "-fashion-mnist-40.png")) > 1000, plot);
    }

    Run second = script(tmp.resolve("second.log"), command);
    assertEquals(0, second.exit(), second.log());
    assertEquals(4, second.log().lines().filter(l -> l.contains("finished, skipping")).count(), second.log());
    assertFalse(second.log().contains(": training"), second.log());
  }
}

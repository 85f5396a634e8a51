package dev.simmatch.check.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A parity case the repository does not carry, written by PyTorch (Debian's python3-torch,
 * installed by {@code scripts/install-deps --tests}) from another seed, passes
 * {@code scripts/simmatch check-parity} as a user runs it: the tolerance is not tuned to one case,
 * and the output carries no TensorFlow native log lines and no escape codes.
 */
class GeneratedParityCaseIT {
  private static final Path ROOT = Path.of("").toAbsolutePath();

  private static String run(Path log, String... command) throws Exception {
    Process p = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    assertTrue(p.waitFor(10, TimeUnit.MINUTES), String.join(" ", command) + " ran past 10 minutes");
    String out = Files.readString(log);
    assertEquals(0, p.exitValue(), String.join(" ", command) + "\n" + out);
    return out;
  }

  @Test
  void anotherSeedPassesWithPlainOutput(@TempDir Path tmp) throws Exception {
    Path cases = tmp.resolve("case");
    run(tmp.resolve("gen.log"), "/usr/bin/python3", "scripts/pytorch/wrn_parity_case.py", cases.toString(),
        "--seed", "31");
    String out = run(tmp.resolve("check.log"), ROOT.resolve("scripts/simmatch").toString(), "check-parity",
        cases.toString());
    assertTrue(out.contains("wrn28_2_seed31: wrn28_2, 10 classes"), out);
    assertTrue(out.contains("9 passed, 0 failed"), out);
    assertTrue(out.contains("tolerance: "), out);
    assertFalse(out.contains("absl::InitializeLog"), out);
    assertFalse(out.lines().anyMatch(l -> l.matches("^[IW][0-9]{4} .*")), out);
    assertFalse(out.chars().anyMatch(c -> c == 27), out);
  }
}

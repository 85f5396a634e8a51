package dev.simmatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.simmatch.TestPaths;
import dev.simmatch.io.Npz;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckParityCommandTest {
  @TempDir Path tmp;

  @Test
  void wrn28x2ReferencePasses() {
    CliRun r = CliRun.of("check-parity", TestPaths.reference().resolve("wrn28_2").toString());
    assertEquals(0, r.exit(), r.out() + r.err());
    assertTrue(r.out().contains("wrn28_2_simmatch: wrn28_2, 10 classes"), r.out());
    assertTrue(r.out().contains("9 passed, 0 failed"), r.out());
    assertTrue(r.out().contains("tolerance: "), r.out());
    for (String check : new String[] {"eval logits", "train embedding", "step losses", "after 2 steps: BN running statistics"}) {
      assertTrue(r.out().contains("ok   " + check), check + "\n" + r.out());
    }
  }

  @Test
  void aPerturbedReferenceFails() throws IOException {
    Path ref = TestPaths.reference().resolve("wrn28_2");
    for (String f : new String[] {"wrn28_2_simmatch_init.npz", "wrn28_2_simmatch_io.npz"}) {
      Files.copy(ref.resolve(f), tmp.resolve(f));
    }
    // one weight of the expected final state moved by 1e-3: only that check must fail
    Map<String, Npz.Array> after = new LinkedHashMap<>(Npz.read(ref.resolve("wrn28_2_simmatch_after2steps.npz")));
    after.get("backbone.block2.layer.1.conv2.weight").doubles()[17] += 1e-3;
    Npz.write(tmp.resolve("wrn28_2_simmatch_after2steps.npz"), after);
    CliRun r = CliRun.of("check-parity", tmp.toString());
    assertEquals(1, r.exit(), r.out());
    assertTrue(r.out().contains("FAIL after 2 steps: parameters"), r.out());
    assertTrue(r.out().contains("backbone.block2.layer.1.conv2.weight"), r.out());
    assertTrue(r.out().contains("8 passed, 1 failed"), r.out());
  }

  @Test
  void badDirectoryIsUsageError() throws IOException {
    CliRun r = CliRun.of("check-parity", tmp.resolve("nothing").toString());
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("nothing"), r.err());
    Files.writeString(tmp.resolve("x_init.npz"), "");
    r = CliRun.of("check-parity", tmp.toString());
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("x_io.npz"), r.err());
  }

  @Test
  void precisionOtherThanFloat32OrBfloat16IsUsageError() {
    for (String p : new String[] {"auto", "fp16"}) {
      CliRun r = CliRun.of("check-parity", "--precision", p);
      assertEquals(2, r.exit(), r.out() + r.err());
      assertTrue(r.err().contains("--precision") && r.err().contains(p), r.err());
    }
  }
}

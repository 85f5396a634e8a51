package dev.simmatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.simmatch.TestPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckVectorsCommandTest {
  private static Path vectors() {
    return TestPaths.reference().resolve("ssl-vectors");
  }


  @Test
  void referenceFolderPassesWithExitZero() {
    Path dir = vectors();
    CliRun r = CliRun.of("check-vectors", dir.toString());
    assertEquals(0, r.exit(), r.out() + r.err());
    long files = r.out().lines().filter(l -> l.startsWith("PASS")).count();
    assertTrue(files >= 18);
    assertTrue(r.out().strip().endsWith(files + " passed, 0 failed"), r.out());
  }

  @Test
  void aFailingFileGivesExitOne(@TempDir Path dir) throws Exception {
    Path src = vectors().resolve("fixmatch-2.json");
    Files.copy(src, dir.resolve("fixmatch-2.json"));
    // loss_x as stored, plus 0.01: the checker must notice
    String text = Files.readString(src);
    int at = text.indexOf("\"loss_x\":");
    int end = text.indexOf(',', at);
    double lossX = Double.parseDouble(text.substring(at + 9, end).trim());
    Files.writeString(
        dir.resolve("fixmatch-bad.json"),
        text.substring(0, at + 9) + " " + (lossX + 0.01) + text.substring(end));

    CliRun r = CliRun.of("check-vectors", dir.toString());
    assertEquals(1, r.exit());
    assertTrue(r.out().contains("FAIL  fixmatch-bad.json"), r.out());
    assertTrue(r.out().contains("loss_x: element 0"), r.out());
    assertTrue(r.out().strip().endsWith("1 passed, 1 failed"), r.out());
  }

  @Test
  void aMissingDirectoryIsBadInput(@TempDir Path dir) {
    CliRun r = CliRun.of("check-vectors", dir.resolve("nowhere").toString());
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("nowhere"), r.err());
  }

  @Test
  void theReMixMatchFolderPasses() {
    CliRun r = CliRun.of("check-vectors", TestPaths.reference().resolve("remixmatch-vectors").toString());
    assertEquals(0, r.exit(), r.out() + r.err());
    assertTrue(r.out().strip().endsWith("9 passed, 0 failed"), r.out());
  }
}

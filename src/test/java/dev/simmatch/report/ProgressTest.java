package dev.simmatch.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressTest {
  @Test
  void plainLinesCarryCountsAndNoEscapeCodes() {
    List<String> lines = new ArrayList<>();
    try (Progress p = new Progress.Plain("run", 100, 3000, " steps", 1, lines::add, 0)) {
      p.setExtraMessage("loss 0.5000 lr 0.03 900 img/s");
      p.stepTo(1200);
    }
    assertEquals(1, lines.size(), lines.toString());
    String line = lines.get(0);
    assertTrue(line.startsWith("run: 1200/3000 steps (40%), "), line);
    assertTrue(line.contains("steps/s, ETA "), line);
    assertTrue(line.endsWith(", loss 0.5000 lr 0.03 900 img/s"), line);
    assertFalse(line.chars().anyMatch(c -> c == 27 || c == '\r' || c > 127), line);
  }

  @Test
  void plainPrintsOncePerIntervalAndAtTheEnd() {
    List<String> lines = new ArrayList<>();
    try (Progress p = new Progress.Plain("dl", 0, 4L << 20, "MiB", 1 << 20, lines::add, Long.MAX_VALUE)) {
      for (long n = 0; n <= 4L << 20; n += 1 << 16) {
        p.stepTo(n);
      }
    }
    assertEquals(1, lines.size(), lines.toString());
    assertTrue(lines.get(0).startsWith("dl: 4.0/4.0 MiB (100%)"), lines.get(0));
  }
}

package dev.simmatch.drills;

import dev.simmatch.export.ServedModel;
import dev.simmatch.train.ProcessMemory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/**
 * Drill 9, serving half: N calls of the exported model on one image each in one JVM, the resident
 * memory sampled every 1000 calls into a CSV ({@code calls,rss_mib}) that scripts/drills fits a
 * line to. scripts/drills runs it with a fixed, pre-touched Java heap, so that the heap growing
 * towards -Xmx is not mistaken for a leak.
 *
 * <p>{@code PredictSoak MODEL_VERSION_DIR CALLS OUT_CSV}
 */
final class PredictSoak {
  public static void main(String[] args) throws IOException {
    Path model = Path.of(args[0]);
    int calls = Integer.parseInt(args[1]);
    StringBuilder csv = new StringBuilder("calls,rss_mib\n");
    try (ServedModel m = ServedModel.load(model)) {
      byte[] px = new byte[m.height() * m.width() * m.channels()];
      Random r = new Random(1);
      for (int i = 1; i <= calls; i++) {
        r.nextBytes(px);
        m.run(px, 1, m.channels());
        if (i % 1000 == 0) {
          csv.append(i).append(',').append(String.format(Locale.ROOT, "%.1f", ProcessMemory.rssMiB())).append('\n');
        }
      }
    }
    Files.writeString(Path.of(args[2]), csv.toString());
  }
}

package dev.simmatch.drills;

import dev.simmatch.export.ServedModel;
import dev.simmatch.train.Checkpoints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Small steps of scripts/drills that need the project's own code:
 *
 * <pre>
 * DrillTools tiny-dataset DIR         a 4-class folder dataset of 8x8 gray PNGs (6 train, 3 test per class)
 * DrillTools verify-checkpoints RUN   every step checkpoint and best of RUN matches its checksums
 * DrillTools verify-models MODEL_DIR  every numeric version loads and classifies an image
 * </pre>
 *
 * Prints one line per item checked and exits 1 if any is damaged.
 */
final class DrillTools {
  public static void main(String[] args) throws IOException {
    switch (args[0]) {
      case "tiny-dataset" -> tinyDataset(Path.of(args[1]));
      case "verify-checkpoints" -> System.exit(verifyCheckpoints(Path.of(args[1])));
      case "verify-models" -> System.exit(verifyModels(Path.of(args[1])));
      default -> throw new IllegalArgumentException("unknown mode " + args[0]);
    }
  }

  /** Each class is a bright 4x4 square in its own quadrant on noise, so a few steps learn something. */
  private static void tinyDataset(Path root) throws IOException {
    Random rng = new Random(7);
    for (String part : List.of("train", "test")) {
      int n = part.equals("train") ? 6 : 3;
      for (int c = 0; c < 4; c++) {
        Path dir = Files.createDirectories(root.resolve(part).resolve("class" + c));
        for (int i = 0; i < n; i++) {
          BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
          for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
              boolean square = y / 4 == c / 2 && x / 4 == c % 2;
              img.getRaster().setSample(x, y, 0, (square ? 180 : 40) + rng.nextInt(60));
            }
          }
          ImageIO.write(img, "png", dir.resolve(i + ".png").toFile());
        }
      }
    }
  }

  private static int verifyCheckpoints(Path run) throws IOException {
    int bad = 0;
    try (Stream<Path> s = Files.list(Checkpoints.dir(run))) {
      for (Path p : s.filter(q -> q.getFileName().toString().matches("step-[0-9]+|best")).sorted().toList()) {
        try {
          Checkpoints.verify(p);
          System.out.println("intact " + p);
        } catch (RuntimeException e) {
          System.out.println("DAMAGED " + p + ": " + e.getMessage());
          bad++;
        }
      }
    }
    return bad == 0 ? 0 : 1;
  }

  private static int verifyModels(Path modelDir) throws IOException {
    int bad = 0;
    try (Stream<Path> s = Files.list(modelDir)) {
      for (Path v : s.filter(p -> p.getFileName().toString().matches("[0-9]+")).sorted().toList()) {
        try (ServedModel m = ServedModel.load(v)) {
          m.run(new byte[m.height() * m.width() * m.channels()], 1, m.channels());
          System.out.println("complete " + v);
        } catch (RuntimeException e) {
          System.out.println("PARTIAL " + v + ": " + e.getMessage());
          bad++;
        }
      }
    }
    return bad == 0 ? 0 : 1;
  }
}

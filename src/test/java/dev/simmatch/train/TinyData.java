package dev.simmatch.train;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * A tiny grayscale image-folder dataset for end-to-end training tests: each class is a bright
 * square at its own position on noise, so a few steps already learn something.
 */
public final class TinyData {
  static final int SIDE = 8;

  private TinyData() {}

  public static Path write(Path root, int classes, int trainPerClass, int testPerClass, long seed) {
    Random rng = new Random(seed);
    try {
      for (String part : new String[] {"train", "test"}) {
        int n = part.equals("train") ? trainPerClass : testPerClass;
        for (int c = 0; c < classes; c++) {
          Path dir = Files.createDirectories(root.resolve(part).resolve("class" + c));
          for (int i = 0; i < n; i++) {
            BufferedImage img = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_BYTE_GRAY);
            for (int y = 0; y < SIDE; y++) {
              for (int x = 0; x < SIDE; x++) {
                boolean square = y / 4 == c / 2 && x / 4 == c % 2;
                int v = (square ? 180 : 40) + rng.nextInt(60);
                img.getRaster().setSample(x, y, 0, v);
              }
            }
            ImageIO.write(img, "png", dir.resolve(i + ".png").toFile());
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return root;
  }
}

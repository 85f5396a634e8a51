package dev.simmatch.data;

import dev.simmatch.UserInputException;
import java.util.List;
import java.util.SplittableRandom;

/** A test-sized set of uniformly random images, for measuring the pipeline without a dataset. */
public final class SyntheticImages {
  /** Enough images that batches do not repeat images much. */
  public static final int IMAGES = 2048;

  private SyntheticImages() {}

  /** Uniform random pixels and labels of the shape "HxWxC" (C = 1 or 3). */
  public static Dataset of(String shape) {
    String[] parts = shape.split("x");
    int[] dims = new int[3];
    try {
      if (parts.length != 3) {
        throw new NumberFormatException();
      }
      for (int i = 0; i < 3; i++) {
        dims[i] = Integer.parseInt(parts[i].trim());
      }
    } catch (NumberFormatException e) {
      throw new UserInputException("--synthetic " + shape + ": expected HxWxC, e.g. 28x28x1 or 32x32x3");
    }
    if (dims[0] < 2 || dims[1] < 2 || (dims[2] != 1 && dims[2] != 3) || (long) dims[0] * dims[1] * dims[2] * IMAGES > Integer.MAX_VALUE) {
      throw new UserInputException("--synthetic " + shape + ": expected sides >= 2, C = 1 or 3, and at most 1 MiB per image");
    }
    SplittableRandom rng = new SplittableRandom(0);
    byte[] pixels = new byte[dims[0] * dims[1] * dims[2] * IMAGES];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (byte) rng.nextInt(256);
    }
    int[] labels = new int[IMAGES];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = rng.nextInt(10);
    }
    List<String> classes = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
    return new Dataset("synthetic/" + shape, dims[0], dims[1], dims[2], pixels, labels, classes, "random pixels");
  }
}

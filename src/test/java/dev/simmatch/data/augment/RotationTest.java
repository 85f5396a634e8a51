package dev.simmatch.data.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Exact pixels of the counter-clockwise quarter turns (torchvision rotate / numpy rot90). */
class RotationTest {
  // 3x3, two channels: pixel (i,j) = (10*i + j, 100 + 10*i + j)
  private static byte[] image() {
    byte[] img = new byte[3 * 3 * 2];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        img[(i * 3 + j) * 2] = (byte) (10 * i + j);
        img[(i * 3 + j) * 2 + 1] = (byte) (100 + 10 * i + j);
      }
    }
    return img;
  }

  /** The first channel of each pixel, row-major. */
  private static byte[] first(byte[] img) {
    byte[] out = new byte[img.length / 2];
    for (int p = 0; p < out.length; p++) {
      out[p] = img[2 * p];
    }
    return out;
  }

  @Test
  void quarterTurnsCounterClockwise() {
    // 0 degrees:   90 degrees CCW:   180 degrees:   270 degrees CCW:
    //  0  1  2       2 12 22          22 21 20        20 10  0
    // 10 11 12       1 11 21          12 11 10        21 11  1
    // 20 21 22       0 10 20           2  1  0        22 12  2
    assertArrayEquals(new byte[] {0, 1, 2, 10, 11, 12, 20, 21, 22}, first(Rotation.counterClockwise(image(), 3, 3, 2, 0)));
    assertArrayEquals(new byte[] {2, 12, 22, 1, 11, 21, 0, 10, 20}, first(Rotation.counterClockwise(image(), 3, 3, 2, 1)));
    assertArrayEquals(new byte[] {22, 21, 20, 12, 11, 10, 2, 1, 0}, first(Rotation.counterClockwise(image(), 3, 3, 2, 2)));
    assertArrayEquals(new byte[] {20, 10, 0, 21, 11, 1, 22, 12, 2}, first(Rotation.counterClockwise(image(), 3, 3, 2, 3)));
  }

  @Test
  void channelsTravelWithTheirPixel() {
    byte[] r = Rotation.counterClockwise(image(), 3, 3, 2, 1);
    for (int p = 0; p < 9; p++) {
      assertArrayEquals(new byte[] {r[2 * p], (byte) (100 + r[2 * p])}, new byte[] {r[2 * p], r[2 * p + 1]});
    }
  }

  @Test
  void fourQuarterTurnsAreTheIdentityAndBadInputIsRefused() {
    byte[] img = image();
    byte[] r = img;
    for (int k = 0; k < 4; k++) {
      r = Rotation.counterClockwise(r, 3, 3, 2, 1);
    }
    assertArrayEquals(img, r);
    assertThrows(IllegalArgumentException.class, () -> Rotation.counterClockwise(new byte[6], 2, 3, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> Rotation.counterClockwise(img, 3, 3, 2, 4));
  }
}

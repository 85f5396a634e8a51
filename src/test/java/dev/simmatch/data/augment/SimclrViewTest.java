package dev.simmatch.data.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The SimCLR pre-training view: determinism, crop geometry, the colour steps on grey and RGB images. */
class SimclrViewTest {
  private static byte[] noise(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    byte[] out = new byte[n];
    for (int i = 0; i < n; i++) {
      out[i] = (byte) r.nextInt(256);
    }
    return out;
  }

  @Test
  void sameKeysGiveTheSameViewOtherKeysAnother() {
    SimclrView v = new SimclrView(true, 0.1, 0.5, 0.8, 0.2, 0.0);
    byte[] img = noise(28 * 28, 1);
    byte[] a = v.apply(img, 28, 28, 1, RandomSource.of(1, 5, 0, 7));
    byte[] b = v.apply(img, 28, 28, 1, RandomSource.of(1, 5, 0, 7));
    byte[] c = v.apply(img, 28, 28, 1, RandomSource.of(1, 6, 0, 7));
    assertArrayEquals(a, b);
    assertFalse(Arrays.equals(a, c));
    assertEquals(img.length, a.length);
  }

  @Test
  void withoutCropFlipOrJitterTheViewIsTheImage() {
    // minArea 1: only a ratio-1 box fits, so most attempts fail and the whole image is used.
    SimclrView v = new SimclrView(false, 1.0, 0.5, 0.0, 0.0, 0.0);
    byte[] img = noise(10 * 10 * 3, 2);
    for (int k = 0; k < 20; k++) {
      assertArrayEquals(img, v.apply(img, 10, 10, 3, RandomSource.of(k)));
    }
  }

  @Test
  void cropBoxesStayInsideWithAreaAndAspectInRange() {
    SimclrView v = new SimclrView(true, 0.1, 0.5, 0.8, 0.2, 0.0);
    double minArea = 1;
    for (int k = 0; k < 2000; k++) {
      int[] box = v.cropBox(28, 28, RandomSource.of(3, k));
      assertTrue(box[0] >= 0 && box[1] >= 0 && box[0] + box[2] <= 28 && box[1] + box[3] <= 28, Arrays.toString(box));
      double area = box[2] * box[3] / (28.0 * 28.0);
      minArea = Math.min(minArea, area);
      double ratio = (double) box[3] / box[2];
      // rounding of 28-pixel sides widens the aspect range a little
      assertTrue(ratio > 0.6 && ratio < 1.6, "ratio " + ratio);
    }
    assertTrue(minArea < 0.15 && minArea >= 0.08, "smallest crop area " + minArea);
  }

  @Test
  void grayscaleMakesRgbChannelsEqualAndJitterChangesGreyImages() {
    SimclrView gray = new SimclrView(false, 1.0, 0.5, 0.0, 1.0, 0.0);
    byte[] rgb = noise(6 * 6 * 3, 4);
    byte[] g = gray.apply(rgb, 6, 6, 3, RandomSource.of(1));
    for (int i = 0; i < g.length; i += 3) {
      assertEquals(g[i], g[i + 1]);
      assertEquals(g[i], g[i + 2]);
    }
    SimclrView jitter = new SimclrView(false, 1.0, 1.0, 1.0, 1.0, 0.0);
    byte[] grey = noise(6 * 6, 5);
    int changed = 0;
    for (int k = 0; k < 10; k++) {
      changed += Arrays.equals(grey, jitter.apply(grey, 6, 6, 1, RandomSource.of(k))) ? 0 : 1;
    }
    assertEquals(10, changed, "brightness/contrast with p=1 change a grey image");
  }

  @Test
  void jitterOfStrengthZeroKeepsRgbImagesThroughTheHsvRoundTrip() {
    // s = 0: every factor is 1 and the hue shift 0, so saturation and hue go RGB -> HSV -> RGB unchanged;
    // with min area 1 on a square image only the whole image fits.
    SimclrView none = new SimclrView(false, 1.0, 0.0, 1.0, 0.0, 0.0);
    byte[] rgb = noise(6 * 6 * 3, 6);
    for (int k = 0; k < 5; k++) {
      assertArrayEquals(rgb, none.apply(rgb, 6, 6, 3, RandomSource.of(k)));
    }
  }

  @Test
  void blurWithProbabilityOneSmoothsTheView() {
    SimclrView blur = new SimclrView(false, 1.0, 0.0, 0.0, 0.0, 1.0);
    byte[] img = noise(8 * 8, 7);
    byte[] out = blur.apply(img, 8, 8, 1, RandomSource.of(3));
    assertTrue(spread(out) < spread(img), "blur lowers the pixel variance");
  }

  private static double spread(byte[] img) {
    double mean = 0;
    for (byte b : img) {
      mean += (b & 0xff) / (double) img.length;
    }
    double var = 0;
    for (byte b : img) {
      var += Math.pow((b & 0xff) - mean, 2) / img.length;
    }
    return var;
  }

  @Test
  void rejectsOutOfRangeSettings() {
    assertThrows(IllegalArgumentException.class, () -> new SimclrView(true, 0, 0.5, 0.8, 0.2, 0.0));
    assertThrows(IllegalArgumentException.class, () -> new SimclrView(true, 0.1, 2, 0.8, 0.2, 0.0));
    assertThrows(IllegalArgumentException.class, () -> new SimclrView(true, 0.1, 0.5, 1.5, 0.2, 0.0));
  }
}

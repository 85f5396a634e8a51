package dev.simmatch.data.augment;

/**
 * Counter-clockwise rotation of a square HWC image by a multiple of 90 degrees: an exact pixel
 * permutation, as torchvision's {@code rotate(img, 90*r)} on a square image (nearest, no expand) and
 * numpy's {@code rot90(img, r)}. One quarter turn maps {@code out[i][j] = in[j][n-1-i]}.
 */
public final class Rotation {
  private Rotation() {}

  /**
   * @param image h*w*c bytes, row-major HWC
   * @param quarterTurns r in 0..3: 0, 90, 180 or 270 degrees counter-clockwise
   * @return a new array
   */
  public static byte[] counterClockwise(byte[] image, int h, int w, int c, int quarterTurns) {
    if (h != w) {
      throw new IllegalArgumentException(
          "rotation by multiples of 90 degrees keeps the image only when it is square, got "
              + h + "x" + w);
    }
    if (quarterTurns < 0 || quarterTurns > 3) {
      throw new IllegalArgumentException("quarter turns must be 0..3, got " + quarterTurns);
    }
    int n = h;
    byte[] out = new byte[image.length];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        // Source pixel of out[i][j] for r quarter turns counter-clockwise.
        int si;
        int sj;
        switch (quarterTurns) {
          case 0 -> {
            si = i;
            sj = j;
          }
          case 1 -> {
            si = j;
            sj = n - 1 - i;
          }
          case 2 -> {
            si = n - 1 - i;
            sj = n - 1 - j;
          }
          default -> {
            si = n - 1 - j;
            sj = i;
          }
        }
        System.arraycopy(image, (si * n + sj) * c, out, (i * n + j) * c, c);
      }
    }
    return out;
  }
}

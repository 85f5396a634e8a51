package dev.simmatch.data.augment;

/**
 * SimCLR's pre-training view (google-research/simclr {@code data_util.py:447-477}), on uint8 HWC
 * images:
 *
 * <ol>
 *   <li>random resized crop: area fraction U[minArea, 1], aspect ratio (w/h) U[3/4, 4/3], up to
 *       100 attempts to fit, else the whole image; resized back to h x w (PIL bilinear);
 *   <li>horizontal flip with p = 0.5 (when enabled);
 *   <li>with p = jitterProb the colour jitter of strength s, its ops in a random order, each
 *       followed by a clip to [0, 1]: brightness x * U[max(0, 1-0.8s), 1+0.8s]; contrast (x - mean)
 *       * U[1-0.8s, 1+0.8s] + mean (mean per channel over the image); on RGB also saturation (HSV
 *       S * U[max(0, 1-0.8s), 1+0.8s]) and hue (H + U[-0.2s, 0.2s], mod 1);
 *   <li>on RGB, with p = grayscaleProb, luma 0.2989 R + 0.5870 G + 0.1140 B in every channel;
 *   <li>clip to [0, 1] and round to uint8 once at the end;
 *   <li>optionally, with p = blurProb, a Gaussian blur of sigma U[0.1, 2.0] (PIL's blur, see {@link
 *       Blur}; the official code blurs in the model with one sigma per batch and a sampled kernel,
 *       on ImageNet only).
 * </ol>
 *
 * On one channel, saturation, hue and grayscale are the identity in the official pipeline (a grey
 * image replicated to RGB stays grey), so they are left out.
 */
public final class SimclrView implements View {
  static final int ATTEMPTS = 100;
  private static final double MIN_RATIO = 3.0 / 4.0;
  private static final double MAX_RATIO = 4.0 / 3.0;

  private final boolean flip;
  private final double minArea;
  private final double strength;
  private final double jitterProb;
  private final double grayscaleProb;
  private final double blurProb;

  /**
   * @param minArea smallest crop area as a fraction of the image, in (0, 1]
   * @param strength s &gt;= 0
   * @param jitterProb probability of the colour jitter
   * @param grayscaleProb probability of the grayscale conversion (RGB only)
   * @param blurProb probability of the blur (0: no blur, no random number drawn for it)
   */
  public SimclrView(
      boolean flip, double minArea, double strength, double jitterProb, double grayscaleProb, double blurProb) {
    if (!(minArea > 0 && minArea <= 1)) {
      throw new IllegalArgumentException("smallest crop area must be in (0, 1], got " + minArea);
    }
    if (!(strength >= 0 && strength < 1.25)) {
      throw new IllegalArgumentException("jitter strength must be in [0, 1.25) (factors 1 - 0.8s stay > 0), got " + strength);
    }
    if (!(jitterProb >= 0 && jitterProb <= 1 && grayscaleProb >= 0 && grayscaleProb <= 1 && blurProb >= 0
        && blurProb <= 1)) {
      throw new IllegalArgumentException(
          "probabilities must be in [0, 1], got " + jitterProb + ", " + grayscaleProb + " and " + blurProb);
    }
    this.flip = flip;
    this.minArea = minArea;
    this.strength = strength;
    this.jitterProb = jitterProb;
    this.grayscaleProb = grayscaleProb;
    this.blurProb = blurProb;
  }

  @Override
  public byte[] apply(byte[] hwc, int h, int w, int c, RandomSource rng) {
    byte[] img = resizedCrop(hwc, h, w, c, rng);
    if (flip && rng.chance(0.5)) {
      img = Geometry.hflip(img, h, w, c);
    }
    float[] x = new float[img.length];
    for (int i = 0; i < x.length; i++) {
      x[i] = (img[i] & 0xff) / 255f;
    }
    if (rng.chance(jitterProb)) {
      jitter(x, c, rng);
    }
    if (c == 3 && rng.chance(grayscaleProb)) {
      grayscale(x);
    }
    byte[] out = new byte[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = (byte) Math.round(clip(x[i]) * 255f);
    }
    if (blurProb > 0 && rng.chance(blurProb)) {
      out = Blur.gaussian(out, h, w, c, rng.uniform(0.1, 2.0));
    }
    return out;
  }

  /** One crop box {top, left, height, width}: TF's sample_distorted_bounding_box rule. */
  int[] cropBox(int h, int w, RandomSource rng) {
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      double area = rng.uniform(minArea, 1.0) * h * w;
      double ratio = rng.uniform(MIN_RATIO, MAX_RATIO);
      int ch = (int) Math.round(Math.sqrt(area / ratio));
      int cw = (int) Math.round(Math.sqrt(area * ratio));
      if (ch >= 1 && cw >= 1 && ch <= h && cw <= w) {
        return new int[] {rng.between(0, h - ch), rng.between(0, w - cw), ch, cw};
      }
    }
    return new int[] {0, 0, h, w};
  }

  private byte[] resizedCrop(byte[] hwc, int h, int w, int c, RandomSource rng) {
    int[] box = cropBox(h, w, rng);
    byte[] crop = Geometry.crop(hwc, h, w, c, box[0], box[1], box[2], box[3]);
    return Geometry.resizeBilinear(crop, box[2], box[3], c, h, w);
  }

  private void jitter(float[] x, int c, RandomSource rng) {
    int ops = c == 3 ? 4 : 2;
    int[] order = new int[ops];
    for (int i = 0; i < ops; i++) {
      order[i] = i;
    }
    for (int i = ops - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    double s = 0.8 * strength;
    for (int op : order) {
      switch (op) {
        case 0 -> scale(x, (float) rng.uniform(Math.max(0, 1 - s), 1 + s));
        case 1 -> contrast(x, c, (float) rng.uniform(1 - s, 1 + s));
        case 2 -> hsv(x, 0f, (float) rng.uniform(Math.max(0, 1 - s), 1 + s));
        default -> hsv(x, (float) rng.uniform(-0.2 * strength, 0.2 * strength), 1f);
      }
    }
  }

  private static float clip(float v) {
    return v < 0 ? 0 : Math.min(v, 1f);
  }

  private static void scale(float[] x, float f) {
    for (int i = 0; i < x.length; i++) {
      x[i] = clip(x[i] * f);
    }
  }

  private static void contrast(float[] x, int c, float f) {
    int pixels = x.length / c;
    for (int ch = 0; ch < c; ch++) {
      double sum = 0;
      for (int p = 0; p < pixels; p++) {
        sum += x[p * c + ch];
      }
      float mean = (float) (sum / pixels);
      for (int p = 0; p < pixels; p++) {
        int i = p * c + ch;
        x[i] = clip((x[i] - mean) * f + mean);
      }
    }
  }

  /** RGB pixels through HSV: hue shifted by dh (mod 1), saturation scaled by fs and clipped. */
  private static void hsv(float[] x, float dh, float fs) {
    for (int i = 0; i < x.length; i += 3) {
      float r = x[i];
      float g = x[i + 1];
      float b = x[i + 2];
      float max = Math.max(r, Math.max(g, b));
      float min = Math.min(r, Math.min(g, b));
      float delta = max - min;
      float hue = 0;
      if (delta > 0) {
        if (max == r) {
          hue = ((g - b) / delta) / 6f;
        } else if (max == g) {
          hue = ((b - r) / delta + 2f) / 6f;
        } else {
          hue = ((r - g) / delta + 4f) / 6f;
        }
      }
      float sat = max > 0 ? delta / max : 0;
      hue = (float) ((hue + dh) - Math.floor(hue + dh));
      sat = clip(sat * fs);
      float v = max;
      float h6 = hue * 6f;
      int sector = Math.min((int) h6, 5);
      float frac = h6 - sector;
      float p = v * (1 - sat);
      float q = v * (1 - sat * frac);
      float t = v * (1 - sat * (1 - frac));
      float[] rgb = switch (sector) {
        case 0 -> new float[] {v, t, p};
        case 1 -> new float[] {q, v, p};
        case 2 -> new float[] {p, v, t};
        case 3 -> new float[] {p, q, v};
        case 4 -> new float[] {t, p, v};
        default -> new float[] {v, p, q};
      };
      x[i] = clip(rgb[0]);
      x[i + 1] = clip(rgb[1]);
      x[i + 2] = clip(rgb[2]);
    }
  }

  private static void grayscale(float[] x) {
    for (int i = 0; i < x.length; i += 3) {
      float y = 0.2989f * x[i] + 0.5870f * x[i + 1] + 0.1140f * x[i + 2];
      x[i] = y;
      x[i + 1] = y;
      x[i + 2] = y;
    }
  }
}

package dev.simmatch.export;

import dev.simmatch.UserInputException;
import dev.simmatch.data.ImageFiles;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Images to predict on, as HWC uint8: PNG/JPEG files (javax.imageio) and IDX files (MNIST format,
 * optionally gzipped: ubyte [N,H,W] or [N,H,W,C] images, ubyte [N] labels), with conversion to a
 * model's channel count and an optional resize.
 */
public final class ImageInputs {
  private static final int UBYTE = 0x08;

  private ImageInputs() {}

  /** count images of height x width x channels, image i at pixels[i*H*W*C ..]. */
  public record Images(String source, int count, int height, int width, int channels, byte[] pixels) {
    public int imageBytes() {
      return height * width * channels;
    }

    /** Image i alone. */
    public Images one(int i) {
      if (i < 0 || i >= count) {
        throw new UserInputException(source + " holds " + count + " images; index " + i + " is out of range");
      }
      byte[] px = new byte[imageBytes()];
      System.arraycopy(pixels, i * imageBytes(), px, 0, px.length);
      return new Images(source + "#" + i, 1, height, width, channels, px);
    }

    String shape() {
      return height + "x" + width + "x" + channels;
    }
  }

  /** True if the file (gzipped or not) starts with an IDX header of unsigned bytes. */
  public static boolean isIdx(Path file) {
    byte[] head;
    try (InputStream in = open(file)) {
      head = in.readNBytes(4);
    } catch (IOException e) {
      return false;
    }
    return head.length == 4 && head[0] == 0 && head[1] == 0 && head[2] == UBYTE && head[3] >= 1 && head[3] <= 4;
  }

  /** A PNG or JPEG file: gray images give 1 channel, all others 3 (alpha dropped). */
  public static Images readImage(Path file) {
    BufferedImage img = ImageFiles.decode(file);
    int h = img.getHeight();
    int w = img.getWidth();
    ColorModel cm = img.getColorModel();
    if (cm.getNumColorComponents() == 1 && !(cm instanceof IndexColorModel)) {
      // raw gray samples: getRGB would pass them through a colour-space conversion
      Raster r = img.getRaster();
      double scale = 255.0 / ((1 << cm.getComponentSize(0)) - 1);
      byte[] px = new byte[h * w];
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          px[y * w + x] = (byte) Math.round(r.getSample(x, y, 0) * scale);
        }
      }
      return new Images(file.toString(), 1, h, w, 1, px);
    }
    int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
    byte[] px = new byte[h * w * 3];
    for (int i = 0; i < argb.length; i++) {
      px[3 * i] = (byte) (argb[i] >> 16);
      px[3 * i + 1] = (byte) (argb[i] >> 8);
      px[3 * i + 2] = (byte) argb[i];
    }
    return new Images(file.toString(), 1, h, w, 3, px);
  }

  /** An IDX image file: ubyte [N,H,W] (1 channel) or [N,H,W,C]. */
  public static Images readIdxImages(Path file) {
    Idx idx = readIdx(file);
    if (idx.dims.length != 3 && idx.dims.length != 4) {
      throw new UserInputException(
          "IDX file " + file + " has " + idx.dims.length + " dimensions; images need [N,H,W] or [N,H,W,C]");
    }
    int c = idx.dims.length == 4 ? idx.dims[3] : 1;
    return new Images(file.toString(), idx.dims[0], idx.dims[1], idx.dims[2], c, idx.data);
  }

  /** An IDX label file: ubyte [N]. */
  public static int[] readIdxLabels(Path file) {
    Idx idx = readIdx(file);
    if (idx.dims.length != 1) {
      throw new UserInputException(
          "IDX file " + file + " has " + idx.dims.length + " dimensions; labels need one ([N])");
    }
    int[] labels = new int[idx.dims[0]];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = idx.data[i] & 0xff;
    }
    return labels;
  }

  /**
   * Converts to c channels: gray to RGB repeats the value, RGB to gray is the rounded luma 0.299 R
   * + 0.587 G + 0.114 B (as the served graph computes it).
   */
  public static Images toChannels(Images im, int c) {
    if (im.channels() == c) {
      return im;
    }
    int pixels = im.count() * im.height() * im.width();
    byte[] out = new byte[pixels * c];
    byte[] in = im.pixels();
    if (im.channels() == 1 && c == 3) {
      for (int i = 0; i < pixels; i++) {
        out[3 * i] = in[i];
        out[3 * i + 1] = in[i];
        out[3 * i + 2] = in[i];
      }
    } else if (im.channels() == 3 && c == 1) {
      float[] luma = ServingGraph.LUMA;
      for (int i = 0; i < pixels; i++) {
        double v = luma[0] * (in[3 * i] & 0xff) + luma[1] * (in[3 * i + 1] & 0xff) + luma[2] * (in[3 * i + 2] & 0xff);
        out[i] = (byte) Math.min(255, Math.round(v));
      }
    } else {
      throw new UserInputException(
          im.source() + " has " + im.channels() + " channels; the model takes " + c + " and only 1 <-> 3 is converted");
    }
    return new Images(im.source(), im.count(), im.height(), im.width(), c, out);
  }

  /**
   * Scales each image so it covers h x w (aspect ratio kept) and keeps the centre h x w. Separable
   * triangle filter whose support widens when shrinking, so every source pixel counts.
   */
  public static Images resize(Images im, int h, int w) {
    if (im.height() == h && im.width() == w) {
      return im;
    }
    double scale = Math.max((double) h / im.height(), (double) w / im.width());
    int c = im.channels();
    byte[] out = new byte[im.count() * h * w * c];
    for (int n = 0; n < im.count(); n++) {
      float[] src = new float[im.imageBytes()];
      for (int i = 0; i < src.length; i++) {
        src[i] = im.pixels()[n * im.imageBytes() + i] & 0xff;
      }
      // rows: [H_in, w, c]; then columns: [h, w, c]
      float[] rows = resample(src, im.height(), im.width(), c, w, scale, false);
      float[] both = resample(rows, im.height(), w, c, h, scale, true);
      for (int i = 0; i < both.length; i++) {
        out[n * h * w * c + i] = (byte) Math.max(0, Math.min(255, Math.round(both[i])));
      }
    }
    return new Images(im.source(), im.count(), h, w, c, out);
  }

  /**
   * Resamples one axis of an [rows, cols, c] image to {@code size} (the centre of the scaled axis).
   *
   * @param vertical true: the rows axis, false: the columns axis
   */
  private static float[] resample(float[] src, int rows, int cols, int c, int size, double scale, boolean vertical) {
    int len = vertical ? rows : cols;
    double radius = Math.max(1.0, 1.0 / scale);
    double offset = (len - size / scale) / 2;
    int outRows = vertical ? size : rows;
    int outCols = vertical ? cols : size;
    float[] out = new float[outRows * outCols * c];
    for (int o = 0; o < size; o++) {
      double u = offset + (o + 0.5) / scale;
      int lo = (int) Math.floor(u - radius);
      int hi = (int) Math.ceil(u + radius);
      double[] weights = new double[hi - lo + 1];
      double total = 0;
      for (int k = lo; k <= hi; k++) {
        double wk = Math.max(0, 1 - Math.abs(k + 0.5 - u) / radius);
        weights[k - lo] = wk;
        total += wk;
      }
      for (int a = 0; a < (vertical ? cols : rows); a++) {
        for (int ch = 0; ch < c; ch++) {
          double acc = 0;
          for (int k = lo; k <= hi; k++) {
            int kk = Math.max(0, Math.min(len - 1, k));
            int at = vertical ? (kk * cols + a) * c + ch : (a * cols + kk) * c + ch;
            acc += weights[k - lo] * src[at];
          }
          int to = vertical ? (o * outCols + a) * c + ch : (a * outCols + o) * c + ch;
          out[to] = (float) (acc / total);
        }
      }
    }
    return out;
  }

  private record Idx(int[] dims, byte[] data) {}

  private static Idx readIdx(Path file) {
    byte[] bytes;
    try (InputStream in = open(file)) {
      bytes = in.readAllBytes();
    } catch (IOException e) {
      throw new UserInputException("cannot read IDX file " + file + ": " + e.getMessage(), e);
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    if (bytes.length < 4 || b.get() != 0 || b.get() != 0 || b.get() != UBYTE) {
      throw new UserInputException("IDX file " + file + " does not start with an unsigned-byte IDX header (00 00 08 nd)");
    }
    int nd = b.get();
    if (nd < 1 || nd > 4 || bytes.length < 4 + 4 * nd) {
      throw new UserInputException("IDX file " + file + ": bad header (" + nd + " dimensions, " + bytes.length + " bytes)");
    }
    int[] dims = new int[nd];
    long size = 1;
    for (int i = 0; i < nd; i++) {
      dims[i] = b.getInt();
      if (dims[i] <= 0) {
        throw new UserInputException(
            "IDX file " + file + ": dimension " + i + " is " + dims[i] + ", expected > 0 (an empty file holds nothing to"
                + " predict)");
      }
      size = Math.min(size * dims[i], Long.MAX_VALUE / Integer.MAX_VALUE);
    }
    if (size != bytes.length - 4L - 4L * nd) {
      throw new UserInputException(
          "IDX file " + file + ": header promises " + size + " bytes of data, the file holds " + (bytes.length - 4 - 4 * nd));
    }
    byte[] data = new byte[(int) size];
    b.get(data);
    return new Idx(dims, data);
  }

  /** The file's bytes, gunzipped if they start with the gzip magic. */
  private static InputStream open(Path file) throws IOException {
    InputStream in = new BufferedInputStream(Files.newInputStream(file));
    in.mark(2);
    boolean gz = in.read() == 0x1f && in.read() == 0x8b;
    in.reset();
    try {
      return gz ? new GZIPInputStream(in) : in;
    } catch (IOException e) {
      in.close();
      throw e;
    }
  }
}

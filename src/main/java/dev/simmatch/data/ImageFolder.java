package dev.simmatch.data;

import dev.simmatch.UserInputException;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A user's dataset as a folder of PNG/JPEG files:
 *
 * <pre>
 * DIR/train/&lt;class&gt;/*.png|jpg|jpeg   one subfolder per class; classes are the sorted folder names
 * DIR/test/&lt;class&gt;/...                  the same class names (a class may be absent)
 * DIR/unlabeled/**                        optional, any depth, no classes
 * </pre>
 *
 * <p>Sizes: with {@code image_size} null every image must have the size of the first training
 * image (an error names the first one that differs); with {@code image_size} = S each image is
 * scaled so its shorter side is S (triangle filter, widened when shrinking so every source pixel
 * counts) and its centre S x S cut out. Channels: 1 if every image is grayscale, else 3 (gray
 * images are repeated into R, G, B). Alpha is dropped.
 */
final class ImageFolder {
  private static final Logger LOG = LoggerFactory.getLogger(ImageFolder.class);

  private ImageFolder() {}

  /** A decoded image, HWC uint8 with c = 1 (gray) or 3 (RGB). */
  record Pixels(int h, int w, int c, byte[] data) {}

  /**
   * @param imageSize side S to resize to, or null to require equal sizes
   * @param extraLimit at most this many images are read from unlabeled/
   */
  static DatasetBundle load(Path root, Integer imageSize, int extraLimit) {
    if (imageSize != null && imageSize <= 0) {
      throw new UserInputException("data.image_size is " + imageSize + ", expected a positive side length or null");
    }
    Path trainDir = root.resolve("train");
    Path testDir = root.resolve("test");
    for (Path dir : List.of(trainDir, testDir)) {
      if (!Files.isDirectory(dir)) {
        throw new UserInputException(
            "folder dataset " + root + ": missing " + dir + " (expected train/<class>/*.png|jpg and test/<class>/...)");
      }
    }
    List<String> classes = subfolders(trainDir);
    if (classes.isEmpty()) {
      throw new UserInputException("folder dataset " + root + ": " + trainDir + " has no class subfolders");
    }
    List<Path> trainFiles = new ArrayList<>();
    List<Integer> trainLabels = new ArrayList<>();
    for (int c = 0; c < classes.size(); c++) {
      List<Path> files = images(trainDir.resolve(classes.get(c)), false);
      if (files.isEmpty()) {
        throw new UserInputException(
            "folder dataset " + root + ": class folder " + trainDir.resolve(classes.get(c))
                + " holds no PNG/JPEG image");
      }
      trainFiles.addAll(files);
      for (int i = 0; i < files.size(); i++) {
        trainLabels.add(c);
      }
    }
    List<Path> testFiles = new ArrayList<>();
    List<Integer> testLabels = new ArrayList<>();
    for (String name : subfolders(testDir)) {
      int c = classes.indexOf(name);
      if (c < 0) {
        throw new UserInputException(
            "folder dataset " + root + ": test class folder '" + name + "' has no counterpart in " + trainDir
                + " (classes: " + String.join(", ", classes) + ")");
      }
      for (Path f : images(testDir.resolve(name), false)) {
        testFiles.add(f);
        testLabels.add(c);
      }
    }
    if (testFiles.isEmpty()) {
      throw new UserInputException("folder dataset " + root + ": " + testDir + " holds no PNG/JPEG image");
    }
    List<Path> extraFiles = new ArrayList<>();
    Path unlabeledDir = root.resolve("unlabeled");
    if (extraLimit > 0 && Files.isDirectory(unlabeledDir)) {
      extraFiles.addAll(images(unlabeledDir, true));
      if (extraFiles.size() > extraLimit) {
        LOG.warn("{}: using the first {} of {} unlabeled images (data.extra_unlabeled_limit)",
            unlabeledDir, extraLimit, extraFiles.size());
        extraFiles = new ArrayList<>(extraFiles.subList(0, extraLimit));
      }
    }

    List<Pixels> train = decodeAll(trainFiles);
    List<Pixels> test = decodeAll(testFiles);
    List<Pixels> extra = decodeAll(extraFiles);
    int h;
    int w;
    if (imageSize != null) {
      h = imageSize;
      w = imageSize;
    } else {
      h = train.get(0).h();
      w = train.get(0).w();
    }
    boolean allGray = Stream.of(train, test, extra).flatMap(List::stream).allMatch(p -> p.c() == 1);
    int channels = allGray ? 1 : 3;
    String source = root.toString();
    Dataset trainSet = pack("folder/train", trainFiles, train, toArray(trainLabels), h, w, channels, imageSize, classes,
        source, trainFiles.get(0));
    Dataset testSet = pack("folder/test", testFiles, test, toArray(testLabels), h, w, channels, imageSize, classes,
        source, trainFiles.get(0));
    Dataset extraSet = extraFiles.isEmpty() ? null
        : pack("folder/unlabeled", extraFiles, extra, filled(extraFiles.size(), -1), h, w, channels, imageSize,
            classes, source, trainFiles.get(0));
    return new DatasetBundle(trainSet, testSet, extraSet, root.toString());
  }

  private static Dataset pack(String name, List<Path> files, List<Pixels> images, int[] labels, int h, int w,
      int channels, Integer imageSize, List<String> classes, String source, Path first) {
    int bytes = h * w * channels;
    if ((long) bytes * images.size() > Integer.MAX_VALUE - 8) {
      throw new UserInputException(
          "folder dataset " + source + ": " + images.size() + " images of " + h + "x" + w + "x" + channels
              + " do not fit one Java array; lower data.image_size or data.extra_unlabeled_limit");
    }
    byte[] pixels = new byte[bytes * images.size()];
    for (int i = 0; i < images.size(); i++) {
      Pixels p = images.get(i);
      if (imageSize == null && (p.h() != h || p.w() != w)) {
        throw new UserInputException(
            "image " + files.get(i) + " is " + p.w() + "x" + p.h() + " but " + first + " (the first training image) is "
                + w + "x" + h + ": images must share one size, or set data.image_size to resize them all");
      }
      Pixels sized = imageSize == null ? p : resizeCenterCrop(p, imageSize);
      Pixels out = channels == 3 && sized.c() == 1 ? grayToRgb(sized) : sized;
      System.arraycopy(out.data(), 0, pixels, i * bytes, bytes);
      images.set(i, null); // let the decoded copy go
    }
    return new Dataset(name, h, w, channels, pixels, labels, classes, source);
  }

  private static List<String> subfolders(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(Files::isDirectory)
          .map(p -> p.getFileName().toString())
          .filter(n -> !n.startsWith("."))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UserInputException("cannot list " + dir + ": " + e.getMessage(), e);
    }
  }

  /** PNG/JPEG files in dir (recursively if asked), sorted by path; others are counted and reported. */
  private static List<Path> images(Path dir, boolean recursive) {
    List<Path> out = new ArrayList<>();
    int skipped = 0;
    try (Stream<Path> s = recursive ? Files.walk(dir) : Files.list(dir)) {
      for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.startsWith(".")) {
          continue;
        }
        if (n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg")) {
          out.add(p);
        } else {
          skipped++;
        }
      }
    } catch (IOException e) {
      throw new UserInputException("cannot list " + dir + ": " + e.getMessage(), e);
    }
    if (skipped > 0) {
      LOG.warn("{}: skipped {} files that are not .png/.jpg/.jpeg", dir, skipped);
    }
    return out;
  }

  private static List<Pixels> decodeAll(List<Path> files) {
    List<Pixels> out = new ArrayList<>(files.size());
    for (Path f : files) {
      out.add(decode(f));
    }
    return out;
  }

  private static Pixels decode(Path file) {
    BufferedImage img = ImageFiles.decode(file);
    int h = img.getHeight();
    int w = img.getWidth();
    ColorModel cm = img.getColorModel();
    if (cm.getNumColorComponents() == 1 && !(cm instanceof IndexColorModel)) {
      // read the gray samples directly: drawing through Java2D would apply a colour-space conversion
      Raster r = img.getRaster();
      int max = (1 << cm.getComponentSize(0)) - 1;
      byte[] data = new byte[h * w];
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          data[y * w + x] = (byte) Math.round(r.getSample(x, y, 0) * 255.0 / max);
        }
      }
      return new Pixels(h, w, 1, data);
    }
    int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
    byte[] data = new byte[h * w * 3];
    for (int i = 0; i < argb.length; i++) {
      data[3 * i] = (byte) (argb[i] >> 16);
      data[3 * i + 1] = (byte) (argb[i] >> 8);
      data[3 * i + 2] = (byte) argb[i];
    }
    return new Pixels(h, w, 3, data);
  }

  private static Pixels grayToRgb(Pixels p) {
    byte[] out = new byte[p.data().length * 3];
    for (int i = 0; i < p.data().length; i++) {
      out[3 * i] = p.data()[i];
      out[3 * i + 1] = p.data()[i];
      out[3 * i + 2] = p.data()[i];
    }
    return new Pixels(p.h(), p.w(), 3, out);
  }

  /**
   * Scales so the shorter side is s and keeps the centre s x s. Separable triangle filter: an
   * output pixel at source coordinate u averages source pixels k with weight max(0, 1 - |k + 0.5
   * - u| / r), r = max(1, scale), scale = source pixels per output pixel; edges are clamped.
   * With scale 1 and a whole-pixel offset this is an exact copy.
   */
  static Pixels resizeCenterCrop(Pixels p, int s) {
    if (p.h() == s && p.w() == s) {
      return p;
    }
    double scale = (double) Math.min(p.h(), p.w()) / s;
    double y0 = (p.h() - s * scale) / 2;
    double x0 = (p.w() - s * scale) / 2;
    int c = p.c();
    // rows first: [h][s][c]
    float[] tmp = new float[p.h() * s * c];
    Taps cols = taps(x0, scale, s, p.w());
    for (int y = 0; y < p.h(); y++) {
      for (int j = 0; j < s; j++) {
        for (int t = 0; t < cols.index[j].length; t++) {
          int src = (y * p.w() + cols.index[j][t]) * c;
          float wgt = cols.weight[j][t];
          for (int ch = 0; ch < c; ch++) {
            tmp[(y * s + j) * c + ch] += wgt * (p.data()[src + ch] & 0xff);
          }
        }
      }
    }
    Taps rows = taps(y0, scale, s, p.h());
    byte[] out = new byte[s * s * c];
    for (int i = 0; i < s; i++) {
      for (int j = 0; j < s; j++) {
        for (int ch = 0; ch < c; ch++) {
          float v = 0;
          for (int t = 0; t < rows.index[i].length; t++) {
            v += rows.weight[i][t] * tmp[(rows.index[i][t] * s + j) * c + ch];
          }
          out[(i * s + j) * c + ch] = (byte) Math.max(0, Math.min(255, Math.round(v)));
        }
      }
    }
    return new Pixels(s, s, c, out);
  }

  /** Source indices and normalised weights of each of the n outputs along one axis of length len. */
  private record Taps(int[][] index, float[][] weight) {}

  private static Taps taps(double offset, double scale, int n, int len) {
    double radius = Math.max(1.0, scale);
    int[][] index = new int[n][];
    float[][] weight = new float[n][];
    for (int j = 0; j < n; j++) {
      double u = offset + (j + 0.5) * scale;
      int lo = (int) Math.floor(u - radius - 0.5);
      int hi = (int) Math.ceil(u + radius - 0.5);
      List<double[]> kept = new ArrayList<>();
      double sum = 0;
      for (int k = lo; k <= hi; k++) {
        double wgt = 1 - Math.abs(k + 0.5 - u) / radius;
        if (wgt > 0) {
          kept.add(new double[] {Math.max(0, Math.min(len - 1, k)), wgt});
          sum += wgt;
        }
      }
      index[j] = new int[kept.size()];
      weight[j] = new float[kept.size()];
      for (int t = 0; t < kept.size(); t++) {
        index[j][t] = (int) kept.get(t)[0];
        weight[j][t] = (float) (kept.get(t)[1] / sum);
      }
    }
    return new Taps(index, weight);
  }

  private static int[] toArray(List<Integer> list) {
    return list.stream().mapToInt(Integer::intValue).toArray();
  }

  private static int[] filled(int n, int value) {
    int[] a = new int[n];
    Arrays.fill(a, value);
    return a;
  }
}

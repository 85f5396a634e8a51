package dev.simmatch.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.simmatch.config.Config;
import dev.simmatch.export.ExportFixture;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PredictCommandTest {
  private static final int K = ExportFixture.CLASSES.size();
  private static final int H = ExportFixture.H;
  private static final int W = ExportFixture.W;
  private static final int N = 20;

  @TempDir static Path tmp;
  static Config cfg;
  static Path checkpoint;
  static Path model;
  static byte[] images;
  /** Reference (in-process forward) logits of {@link #images}, [N*K]. */
  static float[] logits;

  record Run(int code, String out, String err, PredictCommand command) {}

  static Run predict(String... args) {
    CommandLine cl = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    String[] all = new String[args.length + 3];
    all[0] = "predict";
    all[1] = "--model";
    all[2] = model.toString();
    System.arraycopy(args, 0, all, 3, args.length);
    int code = cl.execute(all);
    PredictCommand cmd = cl.getSubcommands().get("predict").getCommand();
    return new Run(code, out.toString(), err.toString(), cmd);
  }

  @BeforeAll
  static void exportModel() throws IOException {
    cfg = ExportFixture.config(tmp.resolve("data"), ExportFixture.PROJ);
    checkpoint = ExportFixture.writeRun(cfg, tmp.resolve("run"), K);
    model = ExportFixture.export(cfg, checkpoint, tmp.resolve("models/tiny"), true, null, false).dir();
    images = ExportFixture.randomPixels(new Random(21), N, H, W, 1);
    logits = ExportFixture.reference(cfg, checkpoint, true, ExportFixture.normalised(images), N, K)[0];
  }

  static void writeIdx(Path file, int[] dims, byte[] data, boolean gzip) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream d = new DataOutputStream(bytes)) {
      d.write(new byte[] {0, 0, 8, (byte) dims.length});
      for (int n : dims) {
        d.writeInt(n);
      }
      d.write(data);
    }
    try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(file)) : Files.newOutputStream(file)) {
      out.write(bytes.toByteArray());
    }
  }

  static byte[] image(int i) {
    return Arrays.copyOfRange(images, i * H * W, (i + 1) * H * W);
  }

  @Test
  void imageOfTheWrongSizeIsExitTwoNamingTheExpectedShape() throws IOException {
    Path big = tmp.resolve("big.png");
    ExportFixture.writeGrayPng(big, ExportFixture.randomPixels(new Random(1), 1, 10, 12, 1), 10, 12);
    Run r = predict(big.toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("the model expects 8x8x1") && r.err().contains("10x12x1"), r.err());
    Run resized = predict("--resize", big.toString());
    assertEquals(0, resized.code(), resized.err());
    assertEquals(1, resized.command().predictions.size());
  }

  @Test
  void grayAndRgbPngMatchTheInProcessForward() throws IOException {
    Path gray = tmp.resolve("gray.png");
    ExportFixture.writeGrayPng(gray, image(3), H, W);
    byte[] rgb = ExportFixture.randomPixels(new Random(8), 1, H, W, 3);
    Path color = tmp.resolve("color.png");
    ExportFixture.writeRgbPng(color, rgb, H, W);
    Run r = predict("--top-k", "2", gray.toString(), color.toString());
    assertEquals(0, r.code(), r.err());

    double[] p = ExportFixture.softmax(Arrays.copyOfRange(logits, 3 * K, 4 * K), K);
    PredictCommand.Prediction first = r.command().predictions.get(0);
    int best = ExportFixture.argmax(Arrays.copyOfRange(logits, 3 * K, 4 * K), K)[0];
    assertEquals(best, first.classes()[0]);
    assertEquals(2, first.classes().length);
    assertEquals(p[best], first.probabilities()[0], 1e-5);
    assertTrue(r.out().startsWith(gray + ": " + ExportFixture.CLASSES.get(best) + " "), r.out());

    // the client converts RGB to the model's one channel as rounded luma
    byte[] luma = new byte[H * W];
    for (int i = 0; i < luma.length; i++) {
      luma[i] = (byte) Math.round(0.299f * (rgb[3 * i] & 0xff) + 0.587f * (rgb[3 * i + 1] & 0xff)
          + 0.114f * (rgb[3 * i + 2] & 0xff));
    }
    float[] ref = ExportFixture.reference(cfg, checkpoint, true, ExportFixture.normalised(luma), 1, K)[0];
    PredictCommand.Prediction second = r.command().predictions.get(1);
    assertEquals(ExportFixture.argmax(ref, K)[0], second.classes()[0]);
    assertEquals(ExportFixture.softmax(ref, K)[second.classes()[0]], second.probabilities()[0], 1e-5);
  }

  @Test
  void labelsGiveTheAccuracyOfTheReferencePredictions() throws IOException {
    int[] best = ExportFixture.argmax(logits, K);
    double[] p = ExportFixture.softmax(logits, K);
    byte[] labels = new byte[N];
    int top2 = 0;
    for (int i = 0; i < N; i++) {
      // the first 15 labels agree with the model, the last 5 name another class
      int label = i < 15 ? best[i] : (best[i] + 1) % K;
      labels[i] = (byte) label;
      int above = 0;
      for (int c = 0; c < K; c++) {
        above += p[i * K + c] > p[i * K + label] ? 1 : 0;
      }
      top2 += above < 2 ? 1 : 0;
    }
    Path idx = tmp.resolve("images-idx3-ubyte.gz");
    Path lab = tmp.resolve("labels-idx1-ubyte");
    writeIdx(idx, new int[] {N, H, W}, images, true);
    writeIdx(lab, new int[] {N}, labels, false);

    Run r = predict("--labels", lab.toString(), "--top-k", "2", "--batch-size", "8", idx.toString());
    assertEquals(0, r.code(), r.err());
    assertEquals(75.0, r.command().accuracy.top1(), 1e-9);
    assertEquals(100.0 * top2 / N, r.command().accuracy.topK(), 1e-9);
    assertTrue(r.out().contains("20 images, top-1 accuracy 75.00%"), r.out());

    Run all = predict(idx.toString());
    assertEquals(N, all.command().predictions.size());
    assertArrayEquals(best, all.command().predictions.stream().mapToInt(x -> x.classes()[0]).toArray());

    Run one = predict("--index", "7", idx.toString());
    assertEquals(1, one.command().predictions.size());
    assertEquals(idx + "#7", one.command().predictions.get(0).source());
    assertEquals(best[7], one.command().predictions.get(0).classes()[0]);

    Run outOfRange = predict("--index", "20", idx.toString());
    assertEquals(2, outOfRange.code());
    assertTrue(outOfRange.err().contains("index 20"), outOfRange.err());

    Path short5 = tmp.resolve("five-labels");
    writeIdx(short5, new int[] {5}, new byte[5], false);
    Run mismatch = predict("--labels", short5.toString(), idx.toString());
    assertEquals(2, mismatch.code());
    assertTrue(mismatch.err().contains("5 labels") && mismatch.err().contains("20 images"), mismatch.err());
  }

  @Test
  void emptyIdxFileAndHugeImageAreExitTwo() throws IOException {
    Path empty = tmp.resolve("empty-idx");
    writeIdx(empty, new int[] {0, H, W}, new byte[0], false);
    Run r = predict(empty.toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("dimension 0 is 0"), r.err());

    Path huge = tmp.resolve("huge.png");
    java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(10_000, 10_000,
        java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
    javax.imageio.ImageIO.write(img, "png", huge.toFile());
    r = predict("--resize", huge.toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("10000x10000 pixels"), r.err());
  }

  @Test
  void directoryWithoutSavedModelIsExitTwo() {
    CommandLine cl = Main.commandLine();
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err));
    int code = cl.execute("predict", "--model", tmp.resolve("models/tiny").toString(), "x.png");
    assertEquals(2, code);
    assertTrue(err.toString().contains("no saved_model.pb"), err.toString());
  }
}

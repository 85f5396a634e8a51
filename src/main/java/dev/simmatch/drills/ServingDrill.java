package dev.simmatch.drills;

import dev.simmatch.cli.Main;
import dev.simmatch.export.ServedModel;
import dev.simmatch.export.ServingGraph;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.imageio.ImageIO;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.SessionFunction;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;

/**
 * Drill 8: malformed inputs to an exported model, both fed straight to the SavedModel's
 * {@code serving_default} signature (as TF Serving would) and given to {@code predict}. Each must
 * end in a clear error (an exception in Java, exit 2 with a message from predict), never in a
 * result for a malformed input or a crash of the JVM; a well-formed call must still work after
 * all of them.
 *
 * <p>{@code ServingDrill MODEL_VERSION_DIR WORK_DIR}
 */
final class ServingDrill {
  private final Tally tally = new Tally("serving inputs");
  private final Path model;
  private final Path work;
  private int h;
  private int w;
  private int c;

  private ServingDrill(Path model, Path work) {
    this.model = model;
    this.work = work;
  }

  public static void main(String[] args) throws IOException {
    ServingDrill d = new ServingDrill(Path.of(args[0]), Path.of(args[1]));
    Files.createDirectories(d.work);
    d.savedModel();
    d.predict();
    System.exit(d.tally.report(d.tally.worst()));
  }

  private void savedModel() {
    try (ServedModel m = ServedModel.load(model)) {
      h = m.height();
      w = m.width();
      c = m.channels();
    }
    try (SavedModelBundle b = SavedModelBundle.load(model.toString(), "serve")) {
      SessionFunction f = b.function(ServingGraph.SIGNATURE_KEY);
      refused(f, "uint8 [1,H+3,W,C]", () -> TUint8.tensorOf(Shape.of(1, h + 3, w, c)));
      refused(f, "uint8 [1,H,W-1,C]", () -> TUint8.tensorOf(Shape.of(1, h, w - 1, c)));
      refused(f, "uint8 [H,W,C] (no batch axis)", () -> TUint8.tensorOf(Shape.of(h, w, c)));
      refused(f, "uint8 [1,1,H,W,C] (rank 5)", () -> TUint8.tensorOf(Shape.of(1, 1, h, w, c)));
      refused(f, "float32 [1,H,W,C]", () -> TFloat32.tensorOf(Shape.of(1, h, w, c)));
      refused(f, "int32 [1,H,W,C]", () -> TInt32.tensorOf(Shape.of(1, h, w, c)));
      refused(f, "string scalar", () -> TString.scalarOf("an image"));
      for (int channels : new int[] {2, 4, 5}) {
        refused(f, "uint8 [1,H,W," + channels + "]", () -> TUint8.tensorOf(Shape.of(1, h, w, channels)));
      }
      emptyBatch(f);
      wellFormed(f);
    }
  }

  /** The signature must raise an exception for this input. */
  private void refused(SessionFunction f, String what, Supplier<Tensor> input) {
    long start = System.nanoTime();
    try (Tensor t = input.get(); Result r = f.call(Map.of(ServingGraph.INPUT, t))) {
      tally.fail("SavedModel " + what, "returned outputs for a malformed input", secondsSince(start), 0);
    } catch (RuntimeException e) {
      tally.pass("SavedModel " + what, secondsSince(start), 0);
    }
  }

  /** An empty batch may be refused or answered with empty outputs, nothing else. */
  private void emptyBatch(SessionFunction f) {
    long start = System.nanoTime();
    try (TUint8 t = TUint8.tensorOf(Shape.of(0, h, w, c)); Result r = f.call(Map.of(ServingGraph.INPUT, t))) {
      long rows = r.get(ServingGraph.PROBABILITIES).orElseThrow().shape().get(0);
      if (rows == 0) {
        tally.pass("SavedModel uint8 [0,H,W,C] (empty batch): empty outputs", secondsSince(start), 0);
      } else {
        tally.fail("SavedModel empty batch", rows + " rows of probabilities", secondsSince(start), 0);
      }
    } catch (RuntimeException e) {
      tally.pass("SavedModel uint8 [0,H,W,C] (empty batch): refused", secondsSince(start), 0);
    }
  }

  private void wellFormed(SessionFunction f) {
    long start = System.nanoTime();
    try (TUint8 t = TUint8.tensorOf(Shape.of(2, h, w, c)); Result r = f.call(Map.of(ServingGraph.INPUT, t))) {
      long rows = r.get(ServingGraph.PROBABILITIES).orElseThrow().shape().get(0);
      if (rows == 2) {
        tally.pass("SavedModel well-formed call after the others", secondsSince(start), 0);
      } else {
        tally.fail("SavedModel well-formed call", rows + " rows for 2 images", secondsSince(start), 0);
      }
    } catch (RuntimeException e) {
      tally.fail("SavedModel well-formed call", "failed after malformed calls: " + e, secondsSince(start), 0);
    }
  }

  private void predict() throws IOException {
    int gray = BufferedImage.TYPE_BYTE_GRAY;
    expect(2, "PNG of another size", png("size.png", h + 5, w + 5, gray));
    Path huge = png("huge.png", 10_000, 10_000, gray);
    expect(2, "10000x10000 PNG", huge);
    expect(2, "10000x10000 PNG with --resize", huge, "--resize");
    expect(2, "IDX file with 0 images", idx("empty.idx", 0, h, w));
    expect(2, "IDX file of 2-channel images", idx("two.idx", 2, h, w, 2));
    expect(2, "IDX file of another image size", idx("size.idx", 2, h + 1, w));
    expect(2, "IDX file cut short", cut(idx("cut.idx", 3, h, w)));
    Path text = work.resolve("notes.png");
    Files.writeString(text, "not an image\n");
    expect(2, "text file named .png", text);
    expect(2, "PNG cut short", cut(png("cut.png", h, w, gray)));
    expect(2, "--top-k 0", png("ok.png", h, w, gray), "--top-k", "0");
    expect(0, "RGBA PNG of the right size (alpha dropped)", png("rgba.png", h, w, BufferedImage.TYPE_INT_ARGB));
    expect(0, "16-bit gray PNG of the right size", png("gray16.png", h, w, BufferedImage.TYPE_USHORT_GRAY));
    expect(0, "well-formed PNG", png("ok.png", h, w, gray));
  }

  private void expect(int code, String what, Path input, String... options) {
    List<String> args = new ArrayList<>(List.of("predict", "--model", model.toString()));
    args.addAll(Arrays.asList(options));
    args.add(input.toString());
    StringWriter err = new StringWriter();
    Trial<Integer> t = Trial.run(() -> {
      picocli.CommandLine cl = Main.commandLine();
      cl.setErr(new PrintWriter(err));
      cl.setOut(new PrintWriter(new StringWriter()));
      return cl.execute(args.toArray(String[]::new));
    }, 120);
    String e = err.toString().strip();
    String name = "predict " + what;
    if (t.timedOut() || t.error() != null) {
      tally.fail(name, t.timedOut() ? "no answer within 120 s" : "escaped the CLI: " + t.error(), t.seconds(), 0);
    } else if (t.value() != code) {
      tally.fail(name, "exit " + t.value() + ", expected " + code + ": " + e.lines().findFirst().orElse(""), t.seconds(), 0);
    } else if (code == 2 && (!e.startsWith("error: ") || e.contains("\tat "))) {
      tally.fail(name, "not a one-line error: " + e.lines().findFirst().orElse(""), t.seconds(), 0);
    } else {
      tally.pass(name, t.seconds(), t.allocatedBytes());
    }
  }

  private Path png(String name, int height, int width, int type) throws IOException {
    Path p = work.resolve(name);
    BufferedImage img = new BufferedImage(width, height, type);
    if (width * (long) height <= 1 << 16) {
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          img.setRGB(x, y, 0xff000000 | (x * 40 + y * 7) * 0x010101 % 0xffffff);
        }
      }
    }
    ImageIO.write(img, "png", p.toFile());
    return p;
  }

  private Path idx(String name, int... dims) throws IOException {
    long n = 1;
    for (int d : dims) {
      n *= d;
    }
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + (int) n);
    b.put((byte) 0).put((byte) 0).put((byte) 8).put((byte) dims.length);
    for (int d : dims) {
      b.putInt(d);
    }
    Path p = work.resolve(name);
    Files.write(p, b.array());
    return p;
  }

  private static Path cut(Path p) throws IOException {
    byte[] b = Files.readAllBytes(p);
    Files.write(p, Arrays.copyOf(b, b.length - 7));
    return p;
  }

  private static double secondsSince(long start) {
    return (System.nanoTime() - start) / 1e9;
  }
}

package dev.simmatch.selfsup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.simmatch.TestPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/** Reads {@code reference/selfsup-vectors/*.json} and compares float32 results with their tolerance. */
public final class SelfsupVectors {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SelfsupVectors() {}

  /** The files of one family ({@code ntxent}, {@code ntxent-nonorm}, ...): {@code <family>-<seed>.json}. */
  public static List<Path> files(String family) {
    Path dir = TestPaths.reference().resolve("selfsup-vectors");
    try (Stream<Path> s = Files.list(dir)) {
      List<Path> out = s.filter(p -> p.getFileName().toString().matches(family + "-\\d+\\.json")).sorted().toList();
      assertTrue(!out.isEmpty(), "no " + family + " files in " + dir);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static JsonNode read(Path file) {
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Nested lists (or a number) as row-major values. */
  public static double[] values(JsonNode n) {
    List<Double> out = new ArrayList<>();
    flatten(n, out);
    return out.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /** The shape of nested lists. */
  public static long[] shape(JsonNode n) {
    List<Long> dims = new ArrayList<>();
    for (JsonNode cur = n; cur.isArray(); cur = cur.get(0)) {
      dims.add((long) cur.size());
    }
    return dims.stream().mapToLong(Long::longValue).toArray();
  }

  public static float[] floats(JsonNode n) {
    double[] v = values(n);
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = (float) v[i];
    }
    return f;
  }

  /** A float32 tensor of nested lists. */
  public static TFloat32 tensor(JsonNode n) {
    return TFloat32.tensorOf(Shape.of(shape(n)), DataBuffers.of(floats(n), true, false));
  }

  private static void flatten(JsonNode n, List<Double> out) {
    if (n.isArray()) {
      n.forEach(c -> flatten(c, out));
    } else {
      out.add(n.asDouble());
    }
  }

  /** |got - want| &lt;= 1e-4 + 1e-4 |want| for every value (the reference README's rule). */
  public static void assertClose(String what, JsonNode want, float[] got) {
    double[] w = values(want);
    assertEquals(w.length, got.length, what + ": number of values");
    for (int i = 0; i < w.length; i++) {
      double err = Math.abs(got[i] - w[i]);
      assertTrue(err <= 1e-4 + 1e-4 * Math.abs(w[i]), what + "[" + i + "]: got " + got[i] + ", want " + w[i]);
    }
  }
}

package dev.simmatch.check.vectors;

import dev.simmatch.io.VectorFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Compares computed tensors with a vector file's {@code outputs}: element-wise {@code |got - want|
 * <= ATOL + RTOL * |want|}; tracks the largest absolute error and the tensor closest to (or
 * furthest past) its tolerance.
 */
public final class Comparison {
  public static final double ATOL = 1e-4;
  public static final double RTOL = 1e-4;

  private final VectorFile file;
  private final Set<String> checked = new LinkedHashSet<>();
  private final List<String> problems = new ArrayList<>();
  private double maxError;
  private double worstRatio = -1;
  private String worstTensor = "-";

  public Comparison(VectorFile file) {
    this.file = file;
  }

  /** The outcome of one file. */
  public record Result(
      Path file,
      String algorithm,
      boolean passed,
      double maxError,
      String worstTensor,
      double worstRatio,
      List<String> problems) {}

  /**
   * Checks {@code outputs.name} against computed values.
   *
   * @param shape shape of the computed tensor
   * @param got row-major values
   */
  public void check(String name, long[] shape, double[] got) {
    check(name, name, file.output(name, (long[]) null), shape, got); // any shape: compared below
  }

  /**
   * Checks a value nested inside {@code outputs.output} (a list of steps, an object of tensors),
   * reported under {@code label}; the output counts as checked.
   */
  public void check(String output, String label, VectorFile.Nd want, long[] shape, double[] got) {
    checked.add(output);
    String name = label;
    if (!Arrays.equals(want.shape(), shape)) {
      problems.add(
          name + ": computed shape " + Arrays.toString(shape) + ", file has " + want.shapeString());
      return;
    }
    double tensorWorst = 0;
    double tensorMax = 0;
    int worstAt = 0;
    for (int i = 0; i < got.length; i++) {
      double w = want.values()[i];
      double err = Math.abs(got[i] - w);
      double ratio = err / (ATOL + RTOL * Math.abs(w));
      if (Double.isNaN(got[i])) {
        err = Double.POSITIVE_INFINITY;
        ratio = Double.POSITIVE_INFINITY;
      }
      tensorMax = Math.max(tensorMax, err);
      if (ratio > tensorWorst) {
        tensorWorst = ratio;
        worstAt = i;
      }
    }
    maxError = Math.max(maxError, tensorMax);
    if (tensorWorst > worstRatio) {
      worstRatio = tensorWorst;
      worstTensor = name;
    }
    if (tensorWorst > 1) {
      problems.add(
          String.format(
              "%s: element %d is %.8g, expected %.8g (|err| %.3g, %.1fx tolerance)",
              name,
              worstAt,
              got[worstAt],
              want.values()[worstAt],
              Math.abs(got[worstAt] - want.values()[worstAt]),
              tensorWorst));
    }
  }

  /** Records a failure that is not a numeric comparison. */
  public void problem(String message) {
    problems.add(message);
  }

  /** Fails every output of the file that no {@link #check} covered. */
  public void requireAllChecked() {
    for (String name : file.outputNames()) {
      if (!checked.contains(name)) {
        problems.add("output '" + name + "' is not computed by this checker");
      }
    }
  }

  public Result result(String algorithm) {
    return new Result(
        file.path(),
        algorithm,
        problems.isEmpty(),
        maxError,
        worstTensor,
        Math.max(worstRatio, 0),
        List.copyOf(problems));
  }
}

package dev.simmatch.config;

import dev.simmatch.UserInputException;
import java.util.List;
import java.util.Set;

/**
 * The arithmetic of training ({@code train.precision}). {@code BFLOAT16} is mixed precision:
 * convolutions and matrix products run in bfloat16 while variables, optimizer slots, EMA weights,
 * BatchNorm statistics, losses and all algorithm state stay float32.
 */
public enum Precision {
  FLOAT32("float32"),
  BFLOAT16("bfloat16");

  /** The accepted values of {@code train.precision}. */
  public static final List<String> VALUES = List.of("float32", "bfloat16", "auto");

  /** CPU flags (as in /proc/cpuinfo) that give native bfloat16 convolutions and matrix products. */
  public static final List<String> BF16_FLAGS = List.of("avx512_bf16", "amx_bf16");

  private final String key;

  Precision(String key) {
    this.key = key;
  }

  /** The config spelling: "float32" or "bfloat16". */
  public String key() {
    return key;
  }

  /**
   * The precision a run uses and why, as written to the run log and {@code result.json}.
   *
   * @param requested the value of train.precision
   */
  public record Choice(Precision precision, String requested, String reason) {
    public boolean bfloat16() {
      return precision == BFLOAT16;
    }
  }

  /** {@link #resolve(String, Set)} with this machine's CPU flags. */
  public static Choice resolve(String requested) {
    return resolve(requested, CpuFlags.local());
  }

  /**
   * Resolves train.precision against the CPU: auto picks bfloat16 where a flag of {@link #BF16_FLAGS}
   * is present, else float32; bfloat16 without them is refused (TensorFlow would emulate it, slower
   * than float32).
   *
   * @throws UserInputException for an unknown value or bfloat16 on a CPU without the flags
   */
  public static Choice resolve(String requested, Set<String> cpuFlags) {
    List<String> present = BF16_FLAGS.stream().filter(cpuFlags::contains).toList();
    String value = requested == null ? "" : requested;
    return switch (value) {
      case "float32" -> new Choice(FLOAT32, value, "train.precision: float32");
      case "bfloat16" -> {
        if (present.isEmpty()) {
          throw new UserInputException(
              "train.precision: bfloat16 needs a CPU that reports " + String.join(" or ", BF16_FLAGS)
                  + " in /proc/cpuinfo, and this one reports neither (bfloat16 would be emulated, slower than"
                  + " float32); use float32 or auto");
        }
        yield new Choice(BFLOAT16, value, "train.precision: bfloat16; CPU reports " + String.join(", ", present));
      }
      case "auto" ->
          present.isEmpty()
              ? new Choice(FLOAT32, value, "train.precision: auto; CPU reports neither " + String.join(" nor ", BF16_FLAGS))
              : new Choice(BFLOAT16, value, "train.precision: auto; CPU reports " + String.join(", ", present));
      default ->
          throw new UserInputException(
              "train.precision: unknown value '" + requested + "', expected one of " + VALUES);
    };
  }
}

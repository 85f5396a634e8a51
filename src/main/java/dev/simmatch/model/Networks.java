package dev.simmatch.model;

import dev.simmatch.UserInputException;
import dev.simmatch.config.Config;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Builds a {@link Network} by architecture name ({@code model.arch}). */
public final class Networks {
  /** The accepted values of {@code model.arch}. */
  public static final List<String> ARCHS = List.of("cnn-small", "wrn28_2", "wrn28_8", "resnet50");

  private static final Pattern WRN = Pattern.compile("wrn(\\d{1,3})_(\\d{1,2})");

  private Networks() {}

  /**
   * Creates the variables of the network in {@code params} (initialised from {@code seed}) and
   * returns the network, whose {@link Network#forward} may then be applied any number of times.
   *
   * @param arch one of {@link #ARCHS}, or {@code wrn<depth>_<widen>} for another WideResNet
   * @param channels input image channels (1 for grey images, 3 for colour)
   * @param cfg projection size and BN momentum
   * @param seed initialisation seed (train.seed)
   * @throws UserInputException for an unknown arch or non-positive sizes
   */
  public static Network create(
      Params params, String arch, int numClasses, int channels, Config.Model cfg, long seed) {
    if (numClasses < 1 || channels < 1 || cfg.projDim() < 1) {
      throw new UserInputException(
          "model " + arch + ": classes (" + numClasses + "), input channels (" + channels
              + ") and model.proj_dim (" + cfg.projDim() + ") must all be positive");
    }
    if (!(cfg.bnMomentum() >= 0 && cfg.bnMomentum() < 1)) {
      throw new UserInputException("model.bn_momentum must be in [0,1), got " + cfg.bnMomentum());
    }
    float m = (float) cfg.bnMomentum();
    return switch (arch == null ? "" : arch) {
      case "cnn-small" -> new CnnSmall(params, numClasses, channels, HeadSpec.of(cfg), m, seed);
      case "resnet50" -> new ResNet50(params, numClasses, channels, HeadSpec.of(cfg), m, seed);
      default -> {
        Matcher wrn = WRN.matcher(arch == null ? "" : arch);
        int depth = wrn.matches() ? Integer.parseInt(wrn.group(1)) : 0;
        int widen = wrn.matches() ? Integer.parseInt(wrn.group(2)) : 0;
        if (depth < 10 || (depth - 4) % 6 != 0 || widen < 1) {
          throw new UserInputException(
              "model.arch: unknown architecture '" + arch + "', expected one of " + ARCHS
                  + " (or wrn<depth>_<widen> with depth = 6n+4)");
        }
        yield new WideResNet(params, depth, widen, numClasses, channels, HeadSpec.of(cfg), m, seed);
      }
    };
  }

  /** As {@link #create(Params, String, int, int, Config.Model, long)} with seed 0. */
  public static Network create(Params params, String arch, int numClasses, int channels, Config.Model cfg) {
    return create(params, arch, numClasses, channels, cfg, 0L);
  }
}

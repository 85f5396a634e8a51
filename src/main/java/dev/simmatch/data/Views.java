package dev.simmatch.data;

import dev.simmatch.UserInputException;
import dev.simmatch.config.Config;
import dev.simmatch.data.augment.Cutout;
import dev.simmatch.data.augment.ImageNetStrongView;
import dev.simmatch.data.augment.ImageNetWeakView;
import dev.simmatch.data.augment.RandAugment;
import dev.simmatch.data.augment.SimclrView;
import dev.simmatch.data.augment.StrongView;
import dev.simmatch.data.augment.View;
import dev.simmatch.data.augment.WeakView;

/**
 * The weak and strong augmentations of a run. The weak view also serves the labeled batch.
 *
 * @param weak flip + reflect-padded random crop, or the ImageNet resized crop + flip
 * @param strong weak + RandAugment + Cutout, or the ImageNet (MoCo-v2) view; with {@code
 *     data.strong: simclr} both are the SimCLR view
 */
public record Views(View weak, View strong) {

  /**
   * Builds the views from data.flip, data.crop_pad, data.strong, data.randaugment, data.ra_ops,
   * data.ra_magnitude and data.cutout, for h x w x c images (c = 1 or 3). data.cutout does not
   * apply to the imagenet strong view, which has no Cutout.
   */
  public static Views fromConfig(Config.Data data, int h, int w, int c) {
    if (h < 1 || w < 1) {
      throw new UserInputException("augmentations need images of at least 1x1 pixels, got " + h + "x" + w);
    }
    if (c != 1 && c != 3) {
      throw new UserInputException("augmentations take grayscale or RGB images, got " + c + " channels");
    }
    double pad = data.cropPad();
    if (!(pad >= 0 && pad < 0.5)) {
      throw new UserInputException("data.crop_pad is " + pad + ", expected a fraction of the side in [0, 0.5)");
    }
    boolean flip = Datasets.flip(data);
    return switch (data.strong() == null ? "" : data.strong()) {
      case "randaugment" -> {
        WeakView weak = new WeakView(flip, pad);
        yield new Views(weak, new StrongView(weak, randAugment(data), Cutout.fromConfig(data.cutout())));
      }
      // The official ImageNet pair: resized-crop weak view, MoCo-v2 strong view (data.crop_pad unused).
      case "imagenet" -> new Views(new ImageNetWeakView(flip), new ImageNetStrongView(flip));
      // SimCLR: two independent views of the same kind (they differ by their random streams).
      case "simclr" -> {
        check("data.crop_min_area", data.cropMinArea(), 1e-9, 1, "a fraction of the image in (0, 1]");
        check("data.jitter_strength", data.jitterStrength(), 0, 1.2499, "in [0, 1.25)");
        check("data.jitter_prob", data.jitterProb(), 0, 1, "a probability");
        check("data.grayscale_prob", data.grayscaleProb(), 0, 1, "a probability");
        check("data.blur_prob", data.blurProb(), 0, 1, "a probability");
        SimclrView view = new SimclrView(
            flip, data.cropMinArea(), data.jitterStrength(), data.jitterProb(), data.grayscaleProb(), data.blurProb());
        yield new Views(view, view);
      }
      default -> throw new UserInputException(
          "data.strong is '" + data.strong() + "', expected randaugment, imagenet or simclr");
    };
  }

  private static void check(String key, double v, double lo, double hi, String expected) {
    if (!(v >= lo && v <= hi)) {
      throw new UserInputException(key + " is " + v + ", expected " + expected);
    }
  }

  private static RandAugment randAugment(Config.Data data) {
    if (data.raOps() < 0) {
      throw new UserInputException("data.ra_ops is " + data.raOps() + ", expected 0 or more ops per image");
    }
    RandAugment.Variant variant = switch (data.randaugment() == null ? "" : data.randaugment()) {
      case "usb" -> RandAugment.Variant.USB;
      case "fixmatch" -> RandAugment.Variant.FIXMATCH;
      default -> throw new UserInputException("data.randaugment is '" + data.randaugment() + "', expected usb or fixmatch");
    };
    if (variant == RandAugment.Variant.FIXMATCH && (data.raMagnitude() < 2 || data.raMagnitude() > RandAugment.PARAMETER_MAX)) {
      throw new UserInputException("data.ra_magnitude is " + data.raMagnitude()
          + ", expected 2..10 for randaugment: fixmatch (magnitudes are drawn from 1..M-1 out of 10)");
    }
    return new RandAugment(variant, data.raOps(), data.raMagnitude());
  }
}

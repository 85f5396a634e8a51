package dev.simmatch.model;

import dev.simmatch.config.Config;

/**
 * What sits on the pooled features besides the backbone ({@code model.head}, {@code
 * model.proj_dim}, {@code model.proj_layers}, {@code model.ft_proj_selector}, {@code
 * model.bn_momentum} for the SimCLR head's BatchNorm).
 */
public record HeadSpec(String kind, int projDim, int layers, int selector, float bnMomentum) {
  public static HeadSpec of(Config.Model cfg) {
    return new HeadSpec(cfg.head(), cfg.projDim(), cfg.projLayers(), cfg.ftProjSelector(), (float) cfg.bnMomentum());
  }
}

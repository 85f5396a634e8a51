package dev.simmatch.train;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What a training run reports; written as {@code result.json} in the run directory. {@code
 * precision} is the arithmetic used (float32 or bfloat16, train.precision resolved against the CPU)
 * and {@code precision_reason} why.
 */
public record TrainResult(
    @JsonProperty("run") String run,
    @JsonProperty("algorithm") String algorithm,
    @JsonProperty("dataset") String dataset,
    @JsonProperty("labels") int labels,
    @JsonProperty("seed") long seed,
    @JsonProperty("steps") long steps,
    @JsonProperty("best_top1_ema") double bestTop1Ema,
    @JsonProperty("best_step_ema") long bestStepEma,
    @JsonProperty("median_last20_top1_ema") double medianLast20Top1Ema,
    @JsonProperty("final_top1_ema") double finalTop1Ema,
    @JsonProperty("final_top5_ema") double finalTop5Ema,
    @JsonProperty("best_top1_raw") double bestTop1Raw,
    @JsonProperty("median_last20_top1_raw") double medianLast20Top1Raw,
    @JsonProperty("final_top1_raw") double finalTop1Raw,
    @JsonProperty("evaluations") int evaluations,
    @JsonProperty("images_per_second") double imagesPerSecond,
    @JsonProperty("wall_seconds") double wallSeconds,
    @JsonProperty("precision") String precision,
    @JsonProperty("precision_reason") String precisionReason) {}

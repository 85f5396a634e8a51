package dev.simmatch.train;

import dev.simmatch.config.Config;
import dev.simmatch.report.Progress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A progress bar with step, loss, learning rate, images/s and ETA; on a terminal it redraws in
 * place, elsewhere (CI logs, files) it prints a plain line every 30 seconds ({@link Progress}).
 */
public final class ProgressListener implements TrainingListener {
  private static final Logger LOG = LoggerFactory.getLogger("progress");
  private Progress bar;

  @Override
  public void onStart(Config cfg, long startStep, long totalSteps) {
    bar = Progress.start(cfg.runName(), startStep, totalSteps, " steps", 1);
  }

  @Override
  public void onStep(long step, double loss, double lr, double imagesPerSecond) {
    bar.stepTo(step);
    bar.setExtraMessage(String.format("loss %.4f lr %.4g %.0f img/s", loss, lr, imagesPerSecond));
  }

  @Override
  public void onEval(EvalResult r, EvalHistory h) {
    LOG.info(
        String.format(
            "step %d: top-1 ema %.2f%% raw %.2f%% (best ema %.2f%%, median of last %d %.2f%%)",
            r.step(), r.top1Ema(), r.top1Raw(), h.best(EvalResult::top1Ema), Math.min(EvalHistory.MEDIAN_WINDOW, h.all().size()),
            h.medianOfLast(EvalResult::top1Ema)));
  }

  @Override
  public void onClose() {
    if (bar != null) {
      bar.close();
    }
  }
}

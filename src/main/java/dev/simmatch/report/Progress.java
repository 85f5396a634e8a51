package dev.simmatch.report;

import java.time.Duration;
import java.util.function.Consumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress of long work. On a terminal an ASCII bar redrawn in place; elsewhere (CI logs, files,
 * pipes) one plain log line every 30 seconds and at the end, with no escape codes or redraws.
 */
public abstract class Progress implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger("progress");
  static final long PLAIN_INTERVAL_NANOS = Duration.ofSeconds(30).toNanos();

  /** Starts at {@code start} of {@code total} (-1 if unknown), counting in {@code unit}s of {@code unitSize}. */
  public static Progress start(String task, long start, long total, String unit, long unitSize) {
    if (System.console() != null) {
      return new Bar(task, start, total, unit, unitSize);
    }
    return new Plain(task, start, total, unit, unitSize, LOG::info, PLAIN_INTERVAL_NANOS);
  }

  public abstract void stepTo(long n);

  /** Free text after the counters, such as the loss and learning rate. */
  public abstract void setExtraMessage(String message);

  @Override
  public abstract void close();

  private static final class Bar extends Progress {
    private final ProgressBar bar;

    Bar(String task, long start, long total, String unit, long unitSize) {
      bar = new ProgressBarBuilder()
          .setTaskName(task)
          .setInitialMax(total)
          .startsFrom(start, Duration.ZERO)
          .setUnit(unit, unitSize)
          .setStyle(ProgressBarStyle.ASCII)
          .showSpeed()
          .build();
    }

    @Override
    public void stepTo(long n) {
      bar.stepTo(n);
    }

    @Override
    public void setExtraMessage(String message) {
      bar.setExtraMessage(message);
    }

    @Override
    public void close() {
      bar.close();
    }
  }

  /** Plain lines: "task: 1200/3000 steps (40%), 3.1 steps/s, ETA 9m41s, <message>". */
  static final class Plain extends Progress {
    private final String task;
    private final long start;
    private final long total;
    private final String unit;
    private final long unitSize;
    private final Consumer<String> sink;
    private final long intervalNanos;
    private final long startNanos = System.nanoTime();
    private long lastNanos = startNanos;
    private long current;
    private long lastPrinted = -1;
    private String message = "";

    Plain(String task, long start, long total, String unit, long unitSize,
        Consumer<String> sink, long intervalNanos) {
      this.task = task;
      this.start = start;
      this.total = total;
      this.unit = unit.strip();
      this.unitSize = unitSize;
      this.sink = sink;
      this.intervalNanos = intervalNanos;
      this.current = start;
    }

    @Override
    public void stepTo(long n) {
      current = n;
      long now = System.nanoTime();
      if (now - lastNanos >= intervalNanos) {
        lastNanos = now;
        print(now);
      }
    }

    @Override
    public void setExtraMessage(String message) {
      this.message = message;
    }

    @Override
    public void close() {
      if (current != lastPrinted) {
        print(System.nanoTime());
      }
    }

    String line(long now) {
      double seconds = Math.max(1e-9, (now - startNanos) / 1e9);
      double rate = (current - start) / (double) unitSize / seconds;
      StringBuilder s = new StringBuilder(task).append(": ").append(scaled(current));
      if (total >= 0) {
        s.append('/').append(scaled(total)).append(' ').append(unit)
            .append(String.format(" (%d%%)", total == 0 ? 100 : Math.round(100.0 * current / total)));
      } else {
        s.append(' ').append(unit);
      }
      s.append(String.format(", %.3g %s/s", rate, unit));
      if (total >= 0 && rate > 0 && current < total) {
        long eta = Math.round((total - current) / (double) unitSize / rate);
        s.append(", ETA ").append(Duration.ofSeconds(eta).toString().substring(2).toLowerCase());
      }
      if (!message.isEmpty()) {
        s.append(", ").append(message);
      }
      return s.toString();
    }

    private String scaled(long n) {
      return unitSize == 1 ? Long.toString(n) : String.format("%.1f", n / (double) unitSize);
    }

    private void print(long now) {
      lastPrinted = current;
      sink.accept(line(now));
    }
  }
}

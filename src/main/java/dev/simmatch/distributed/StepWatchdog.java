package dev.simmatch.distributed;

import java.util.function.Supplier;

/**
 * A deadline around every session run of a multi-worker run that involves the other workers. The
 * collectives' own {@code timeout_seconds} turns a missing peer into an error in most cases, but not
 * all: a worker whose collective group leader (task 0) has died retries {@code GetStepSequence} on
 * it forever inside {@code session.run} (measured, docs/distributed.md). Past the deadline the
 * process prints which tasks do not answer and ends with {@link #EXIT_CODE}: a thread stuck in
 * native code cannot be unwound. The deadline is one second before the collectives' own timeout:
 * TensorFlow's abort of timed-out ring reductions once crashed the JVM (SIGSEGV in {@code
 * RingAlg::StartAbort}, docs/distributed.md), so a hang is ended here before that path runs; a peer
 * that is gone still fails fast through TensorFlow's own error.
 */
public final class StepWatchdog implements AutoCloseable {
  /** The exit code of a worker that gave up on its peers. */
  public static final int EXIT_CODE = 3;
  private static final long POLL_MILLIS = 500;
  /** How long before the collectives' own timeout the watchdog ends the process (at most 10% of it). */
  private static final double MARGIN_SECONDS = 1;

  private final TfConfig cluster;
  private final double seconds;
  private final Thread thread;
  private volatile long deadline = Long.MAX_VALUE;
  private volatile String what = "";
  private volatile boolean closed;

  public StepWatchdog(TfConfig cluster, double seconds) {
    this.cluster = cluster;
    this.seconds = seconds;
    thread = new Thread(this::watch, "step-watchdog");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Runs {@code body} (a session run with collectives) under the deadline.
   *
   * @throws WorkerFailureException naming the unreachable tasks when TensorFlow reports the failure itself
   */
  public <T> T run(String what, Supplier<T> body) {
    this.what = what;
    deadline = System.nanoTime() + (long) ((seconds - Math.min(MARGIN_SECONDS, 0.1 * seconds)) * 1e9);
    try {
      return body.get();
    } catch (RuntimeException e) {
      throw new WorkerFailureException(what + ": " + Peers.describeFailure(cluster, (float) seconds, e), e);
    } finally {
      deadline = Long.MAX_VALUE;
    }
  }

  private void watch() {
    while (!closed) {
      if (System.nanoTime() > deadline) {
        String msg = what + ": " + Peers.describeFailure(cluster, (float) seconds,
            new IllegalStateException("session.run did not return"));
        System.err.println("ERROR " + msg);
        System.err.flush();
        System.out.flush();
        Runtime.getRuntime().halt(EXIT_CODE);
      }
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
  }

  /** A step of a multi-worker run failed because of another worker. */
  public static final class WorkerFailureException extends RuntimeException {
    WorkerFailureException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}

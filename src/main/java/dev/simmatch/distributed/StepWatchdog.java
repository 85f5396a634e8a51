package dev.simmatch.distributed;

import java.util.function.Supplier;

/**
 * The deadline of every session run of a multi-worker run that involves the other workers
 * ({@code train.collective_timeout}). The collective ops carry no timeout of their own (each would
 * cost two sleeping native threads for the whole timeout, see {@link Collectives}), and TensorFlow's
 * would not cover every hang anyway: a worker whose collective group leader (task 0) has died retries
 * {@code GetStepSequence} on it forever inside {@code session.run} (measured, docs/distributed.md),
 * and its abort of timed-out ring reductions once crashed the JVM (SIGSEGV in {@code
 * RingAlg::StartAbort}). Past the deadline the process prints which tasks do not answer and ends
 * with {@link #EXIT_CODE}: a thread stuck in native code cannot be unwound. A peer that is gone
 * still fails fast through TensorFlow's own error.
 */
public final class StepWatchdog implements AutoCloseable {
  /** The exit code of a worker that gave up on its peers. */
  public static final int EXIT_CODE = 3;
  private static final long POLL_MILLIS = 500;

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
    deadline = System.nanoTime() + (long) (seconds * 1e9);
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

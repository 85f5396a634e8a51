package dev.simmatch.drills;

import java.lang.management.ManagementFactory;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One fuzz trial run on a thread of its own: its outcome, wall time, CPU time of that thread and
 * the bytes it allocated on the Java heap (HotSpot's per-thread counters), with a wall-time limit.
 * A trial still running at the limit is reported as a hang and left behind (daemon thread). CPU
 * time is what a bound should use on a shared machine, where wall time measures the neighbours.
 */
record Trial<T>(T value, Throwable error, double seconds, double cpuSeconds, long allocatedBytes, boolean timedOut) {
  static <T> Trial<T> run(Callable<T> body, double limitSeconds) {
    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    AtomicReference<Trial<T>> out = new AtomicReference<>();
    Thread t = new Thread(() -> {
      long id = Thread.currentThread().getId();
      long before = mx.getThreadAllocatedBytes(id);
      long cpu = mx.getThreadCpuTime(id);
      long start = System.nanoTime();
      T value = null;
      Throwable error = null;
      try {
        value = body.call();
      } catch (Throwable e) {
        error = e;
      }
      double s = (System.nanoTime() - start) / 1e9;
      out.set(new Trial<>(value, error, s, (mx.getThreadCpuTime(id) - cpu) / 1e9, mx.getThreadAllocatedBytes(id) - before,
          false));
    }, "trial");
    t.setDaemon(true);
    long start = System.nanoTime();
    t.start();
    try {
      t.join((long) (limitSeconds * 1000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Trial<T> r = out.get();
    return r != null ? r : new Trial<>(null, null, (System.nanoTime() - start) / 1e9, -1, -1, true);
  }
}

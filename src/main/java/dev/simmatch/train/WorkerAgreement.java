package dev.simmatch.train;

import dev.simmatch.distributed.StepWatchdog;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat64;

/**
 * Checks that the workers of a multi-worker run hold the same state: the sums of every variable
 * that must be equal on all of them (weights, momentum, EMA weights, algorithm state, step; not the
 * BN running statistics, which are per worker as in DDP), gathered from every worker
 * ({@link TrainGraph#agreement}). Run by every worker at the same points (after a restore, at
 * checkpoint steps), so that a worker that restored another checkpoint or drifted is caught by name.
 */
final class WorkerAgreement {
  private WorkerAgreement() {}

  /** @throws IllegalStateException naming the first differing variable and workers */
  static void check(TrainGraph g, Session session, StepWatchdog watchdog, long step) {
    double[][] sums = watchdog.run("agreement check at step " + step, () -> {
      try (Result r = session.runner().fetch(g.agreement).run()) {
        TFloat64 t = (TFloat64) r.get(0);
        int workers = (int) t.shape().get(0);
        int vars = (int) t.shape().get(1);
        double[][] out = new double[workers][vars];
        for (int w = 0; w < workers; w++) {
          for (int v = 0; v < vars; v++) {
            out[w][v] = t.getDouble(w, v);
          }
        }
        return out;
      }
    });
    List<String> differ = new ArrayList<>();
    for (int w = 1; w < sums.length; w++) {
      for (int v = 0; v < sums[w].length; v++) {
        if (Double.doubleToLongBits(sums[w][v]) != Double.doubleToLongBits(sums[0][v])) {
          differ.add(g.agreementNames.get(v) + " (worker 0: " + sums[0][v] + ", worker " + w + ": " + sums[w][v] + ")");
        }
      }
    }
    if (!differ.isEmpty()) {
      throw new IllegalStateException("the workers' states differ at step " + step + " in " + differ.size()
          + " variables, e.g. " + String.join("; ", differ.subList(0, Math.min(3, differ.size())))
          + ": did every worker restore the same checkpoint (the chief's run directory)?");
    }
  }
}

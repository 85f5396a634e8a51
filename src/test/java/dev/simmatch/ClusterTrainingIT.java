package dev.simmatch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.simmatch.train.TinyData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Multi-worker training (form 2 of docs/distributed.md) against the packaged jar, as a user runs it:
 * {@code scripts/train-cluster 2} against {@code scripts/simmatch train} with {@code train.replicas=2}
 * (form 1) on a tiny image folder, also with every worker on a host (network namespace) of its own,
 * and workers killed or frozen mid-run. The workers run in private
 * network namespaces ({@code unshare -n}, root): TensorFlow's gRPC server listens on every interface.
 */
class ClusterTrainingIT {
  private static final Path ROOT = Path.of("").toAbsolutePath();
  private static final int TIMEOUT = 20;
  /**
   * Starts the two workers of TF_CONFIG in this namespace, waits for the chief's step-2 checkpoint,
   * sends the signal to one worker, and records when it did and when the other ended with which
   * status. Arguments: signal, victim index, output dir, then the train arguments.
   */
  private static final String SIGNAL_ONE = """
      set -u
      ip link set lo up
      sig=$1; victim=$2; out=$3; shift 3
      run="$out/run"
      workers='"127.0.0.1:25001","127.0.0.1:25002"'
      for i in 0 1; do
        TF_CONFIG="{\\"cluster\\":{\\"worker\\":[$workers]},\\"task\\":{\\"type\\":\\"worker\\",\\"index\\":$i}}" \\
          scripts/simmatch train "$@" --run-dir "$run" > "$out/w$i.log" 2>&1 &
        pid[$i]=$!
      done
      for t in $(seq 1 1200); do [[ -d "$run/checkpoints/step-00000002" ]] && break; sleep 0.1; done
      kill -"$sig" "${pid[$victim]}"
      date +%s.%N > "$out/signalled"
      wait "${pid[$((1 - victim))]}"
      echo $? > "$out/rc"
      date +%s.%N > "$out/ended"
      kill -KILL "${pid[$victim]}" 2> /dev/null
      wait
      """;

  private record Run(int exit, String log) {}

  private static Run run(Path logFile, Map<String, String> env, List<String> command)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true)
        .redirectOutput(logFile.toFile());
    pb.environment().remove("TF_CONFIG");
    pb.environment().putAll(env);
    Process p = pb.start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError(command + " ran past 5 minutes; log:\n" + Files.readString(logFile));
    }
    return new Run(p.exitValue(), Files.readString(logFile));
  }

  /** The train arguments of the tiny SimMatch run. */
  private static List<String> trainArgs(Path data, int steps, int checkpointEvery, String... extra) {
    List<String> sets = new ArrayList<>(List.of(
        "data.dataset=folder", "data.dir=" + data, "data.labels=8", "data.workers=1", "data.prefetch=1",
        "model.arch=cnn-small", "model.proj_dim=16", "algorithm.name=simmatch", "algorithm.warmup_steps=2",
        "algorithm.da_len=4", "train.steps=" + steps, "train.batch_size=4", "train.mu=2",
        "train.eval_every=" + checkpointEvery, "train.checkpoint_every=" + checkpointEvery, "train.eval_batch_size=5",
        "train.threads=1", "train.collective_timeout=" + TIMEOUT));
    sets.addAll(List.of(extra));
    List<String> args = new ArrayList<>();
    sets.forEach(s -> args.addAll(List.of("--set", s)));
    return args;
  }

  private static List<String> command(String script, List<String> train, String... more) {
    List<String> c = new ArrayList<>();
    c.add(ROOT.resolve(script).toString());
    if (script.endsWith("train-cluster")) {
      c.add("2");
    } else {
      c.add("train");
    }
    c.addAll(train);
    c.addAll(List.of(more));
    return c;
  }

  private static void assertSameCheckpoint(Path a, Path b, long step) throws IOException {
    String dir = String.format("checkpoints/step-%08d/", step);
    for (String f : List.of("ckpt.data-00000-of-00001", "ckpt.index")) {
      assertArrayEquals(Files.readAllBytes(a.resolve(dir + f)), Files.readAllBytes(b.resolve(dir + f)),
          f + " of " + a + " and " + b + " at step " + step);
    }
  }

  /**
   * Every variable of the chief's checkpoint (weights, BN statistics, momentum, EMA copy, bank, bank
   * labels, DA queue and pointer, step) is bit-identical to the 2-replica run's; worker 1's
   * variables other than its own BN statistics agree with the chief's (the run checks their sums
   * exactly at the last step and fails otherwise).
   */
  @Test
  void twoWorkersEqualTwoReplicasAfterThreeSteps(@TempDir Path tmp) throws Exception {
    Path data = TinyData.write(tmp.resolve("data"), 4, 6, 3, 7);
    for (String teacher : List.of("online", "ema")) {
      List<String> train = trainArgs(data, 3, 3, "algorithm.teacher=" + teacher);
      Path workers = tmp.resolve("workers-" + teacher);
      Path replicas = tmp.resolve("replicas-" + teacher);
      Run w = run(tmp.resolve("workers-" + teacher + ".log"), Map.of(),
          command("scripts/train-cluster", train, "--run-dir", workers.toString()));
      assertEquals(0, w.exit(), w.log());
      // Whole log lines (stdout and stderr of a worker share one pipe: only a line is written at once).
      assertTrue(w.log().contains("worker 1 of 2: finished at step 3"), w.log());
      assertTrue(w.log().contains("worker 1 of 2: the workers agree on 68 variables at step 0"), w.log());
      assertTrue(Files.isRegularFile(workers.resolve("result.json")));
      Run r = run(tmp.resolve("replicas-" + teacher + ".log"), Map.of(),
          command("scripts/simmatch", train, "--set", "train.replicas=2", "--run-dir", replicas.toString()));
      assertEquals(0, r.exit(), r.log());
      assertSameCheckpoint(workers, replicas, 3);
    }
    // The same with each worker in a network namespace of its own, as separate hosts on a bridge.
    Path hosts = tmp.resolve("hosts-online");
    Run h = run(tmp.resolve("hosts-online.log"), Map.of("SIMMATCH_CLUSTER_HOSTS", "1"),
        command("scripts/train-cluster", trainArgs(data, 3, 3, "algorithm.teacher=online"), "--run-dir", hosts.toString()));
    assertEquals(0, h.exit(), h.log());
    assertTrue(h.log().contains("train-cluster: worker 1 (10.77.0.2:23456) sent "), h.log());
    assertSameCheckpoint(hosts, tmp.resolve("replicas-online"), 3);
    // The chief refuses a run directory that has checkpoints (no --resume) while worker 1 waits for
    // it in a collective: train-cluster passes the chief's status on and stops worker 1 after the grace.
    Run again = run(tmp.resolve("again.log"), Map.of("SIMMATCH_CLUSTER_GRACE", "1"),
        command("scripts/train-cluster", trainArgs(data, 3, 3), "--run-dir", tmp.resolve("workers-online").toString()));
    assertEquals(2, again.exit(), again.log());
    assertTrue(again.log().contains("already holds checkpoints"), again.log());
    assertTrue(again.log().contains("train-cluster: worker 0 exited with status 2; stopping the others in 1s"),
        again.log());
    assertTrue(!again.log().contains("worker 1: a collective op failed"), again.log());
  }

  /** What the worker that was not signalled did: its exit status, log, and seconds from the signal to its end. */
  private record Survivor(String exit, String log, double seconds) {}

  /** Runs SIGNAL_ONE in its own network namespace. */
  private static Survivor signalOne(Path out, String signal, int victim, List<String> train) throws Exception {
    Files.createDirectories(out);
    List<String> c = new ArrayList<>(List.of("unshare", "-n", "bash", "-c", SIGNAL_ONE, "signal-one", signal,
        String.valueOf(victim), out.toString()));
    c.addAll(train);
    Run r = run(out.resolve("unshare.log"), Map.of(), c);
    assertEquals(0, r.exit(), "unshare -n (needs root) or the script failed: " + r.log());
    return new Survivor(Files.readString(out.resolve("rc")).strip(),
        Files.readString(out.resolve("w" + (1 - victim) + ".log")),
        Double.parseDouble(Files.readString(out.resolve("ended")).strip())
            - Double.parseDouble(Files.readString(out.resolve("signalled")).strip()));
  }

  /**
   * Worker 1 killed after the chief's step-2 checkpoint: the chief exits non-zero within the
   * collective timeout naming task 1; both restarted with --resume end with the same checkpoint as an
   * uninterrupted 2-replica run.
   */
  @Test
  void killedWorkerIsNamedAndResumeEndsAsAnUninterruptedRun(@TempDir Path tmp) throws Exception {
    Path data = TinyData.write(tmp.resolve("data"), 4, 6, 3, 7);
    List<String> train = trainArgs(data, 8, 2);
    Path out = tmp.resolve("kill");
    Survivor chief = signalOne(out, "KILL", 1, train);
    assertNotEquals("0", chief.exit(), chief.log());
    assertTrue(chief.log().contains("worker 0: a collective op failed or did not complete within " + TIMEOUT
        + ".0 s (no answer from task 1 (127.0.0.1:25002))"), chief.log());
    assertTrue(chief.seconds() < TIMEOUT + 10, "the chief took " + chief.seconds() + " s");

    Path run = out.resolve("run");
    Run resumed = run(tmp.resolve("resume.log"), Map.of("SIMMATCH_CLUSTER_PORT", "25001"),
        command("scripts/train-cluster", train, "--run-dir", run.toString(), "--resume"));
    assertEquals(0, resumed.exit(), resumed.log());
    assertTrue(resumed.log().contains("worker 1 of 2: the workers agree on 68 variables at step "), resumed.log());
    Path straight = tmp.resolve("straight");
    Run r = run(tmp.resolve("straight.log"), Map.of(),
        command("scripts/simmatch", train, "--set", "train.replicas=2", "--run-dir", straight.toString()));
    assertEquals(0, r.exit(), r.log());
    assertSameCheckpoint(run, straight, 8);
  }

  /**
   * The chief killed, then the chief frozen (SIGSTOP: its port still accepts connections): worker 1
   * exits non-zero, naming task 0 when it is gone, within the collective timeout plus the watchdog's
   * grace.
   */
  @Test
  void workerExitsWhenTheChiefDiesOrHangs(@TempDir Path tmp) throws Exception {
    Path data = TinyData.write(tmp.resolve("data"), 4, 6, 3, 7);
    List<String> train = trainArgs(data, 8, 2);
    Survivor killed = signalOne(tmp.resolve("killed"), "KILL", 0, train);
    assertNotEquals("0", killed.exit(), killed.log());
    assertTrue(killed.log().contains("(no answer from task 0 (127.0.0.1:25001))"), killed.log());
    assertTrue(killed.seconds() < TIMEOUT + 10, "worker 1 took " + killed.seconds() + " s");

    Survivor frozen = signalOne(tmp.resolve("frozen"), "STOP", 0, train);
    assertNotEquals("0", frozen.exit(), frozen.log());
    assertTrue(frozen.log().contains("worker 1: a collective op failed or did not complete within " + TIMEOUT
        + ".0 s (every worker answers on its port, so one of them is stuck or failed)"), frozen.log());
    assertTrue(frozen.seconds() > TIMEOUT - 5 && frozen.seconds() < TIMEOUT + 15,
        "worker 1 took " + frozen.seconds() + " s");
  }
}

package dev.simmatch.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.NodeDef;

/**
 * Workers of a two-worker cluster in their own JVMs ({@link CollectiveProbe}) inside a private
 * network namespace with only loopback ({@code unshare -n}, root): TensorFlow's gRPC server binds
 * 0.0.0.0 whatever it is told, so the workers must not run in the machine's namespace.
 */
class CollectivesTest {
  /** Each worker JVM is killed after this long (`timeout`), so a hung collective cannot outlive the test. */
  private static final int WORKER_SECONDS = 150;
  private static final String WORKERS = "\\\"127.0.0.1:24001\\\",\\\"127.0.0.1:24002\\\"";

  /** Runs the given worker indices in one namespace; returns each worker's output. */
  private static List<String> run(Path dir, float timeout, int... indices) throws IOException, InterruptedException {
    StringBuilder script = new StringBuilder("ip link set lo up\n");
    for (int i : indices) {
      // "{ ...; } &": without the braces only the echo would go to the background and the workers
      // would run one after the other.
      script.append("{ TF_CPP_MIN_LOG_LEVEL=2 TF_CONFIG=\"{\\\"cluster\\\":{\\\"worker\\\":[").append(WORKERS)
          .append("]},\\\"task\\\":{\\\"type\\\":\\\"worker\\\",\\\"index\\\":").append(i).append("}}\" timeout -s KILL ").append(WORKER_SECONDS).append(" '")
          .append(Path.of(System.getProperty("java.home"), "bin", "java")).append("' -cp '")
          .append(System.getProperty("java.class.path")).append("' ").append(CollectiveProbe.class.getName())
          .append(' ').append(timeout).append(" > '").append(dir.resolve("w" + i + ".log"))
          .append("' 2>&1; echo $? > '").append(dir.resolve("w" + i + ".rc")).append("'; } &\n");
    }
    script.append("wait\n");
    // Output to a file: a child holding the test JVM's stdout open would keep Maven waiting.
    Process p = new ProcessBuilder("unshare", "-n", "bash", "-c", script.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("unshare.log").toFile()).start();
    assertTrue(p.waitFor(WORKER_SECONDS + 60, TimeUnit.SECONDS), "workers did not finish");
    assertEquals(0, p.exitValue(), "unshare -n (needs root) or the script failed");
    List<String> out = new ArrayList<>();
    for (int i : indices) {
      out.add(Files.readString(dir.resolve("w" + i + ".rc")).strip() + " " + Files.readString(dir.resolve("w" + i + ".log")));
    }
    return out;
  }

  @Test
  void aMissingWorkerIsNamedWithinTheTimeout(@TempDir Path dir) throws Exception {
    long start = System.nanoTime();
    String out = run(dir, 3, 0).get(0);
    double seconds = (System.nanoTime() - start) / 1e9;
    assertTrue(out.startsWith("3 "), out);
    assertTrue(out.contains("within 3.0 s (no answer from task 1 (127.0.0.1:24002))"), out);
    assertTrue(seconds < 120, "took " + seconds + " s");
  }

  /**
   * A collective with TensorFlow's timeout_seconds keeps two threads asleep for the whole timeout
   * after every run (the multi-worker thread leak, docs/distributed.md): the deadline is the
   * watchdog's, so no op may set it.
   */
  @Test
  void noCollectiveCarriesATensorFlowTimeout() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Collectives c = new Collectives(tf, 2, 1);
      c.sum(tf.constant(new float[] {1f}));
      c.mean(tf.constant(new float[] {1f}));
      c.gather(tf.constant(new int[] {1}));
      c.sumBucketed(List.of(tf.constant(new float[] {1f}), tf.constant(new float[] {2f, 3f})), Long.MAX_VALUE);
      List<NodeDef> collectives = g.toGraphDef().getNodeList().stream()
          .filter(n -> n.getOp().startsWith("Collective")).toList();
      assertEquals(4, collectives.size());
      for (NodeDef n : collectives) {
        AttrValue t = n.getAttrMap().get("timeout_seconds");
        assertTrue(t == null || t.getF() == 0f, n.getName() + " has timeout_seconds " + t);
      }
    }
  }

  /**
   * Buckets are filled walking backwards until they hold the bucket size: [4], [4], [8] floats with
   * 32-byte buckets give {[8]} and {[4], [4]}; in a group of one the sums are the inputs, in shape.
   */
  @Test
  void bucketsPackTensorsFromTheEndUntilFull() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Collectives c = new Collectives(tf, 1, 1);
      List<Operand<TFloat32>> in = List.of(tf.constant(new float[] {1, 2, 3, 4}),
          tf.constant(new float[][] {{5, 6}, {7, 8}}), tf.constant(new float[] {9, 10, 11, 12, 13, 14, 15, 16}));
      List<Operand<TFloat32>> out = c.sumBucketed(in, 32);
      List<NodeDef> reduces = g.toGraphDef().getNodeList().stream()
          .filter(n -> n.getOp().equals("CollectiveReduceV2")).toList();
      assertEquals(2, reduces.size());
      try (Session s = new Session(g);
          Result r = s.runner().fetch(in.get(0)).fetch(in.get(1)).fetch(in.get(2))
              .fetch(out.get(0)).fetch(out.get(1)).fetch(out.get(2)).run()) {
        for (int k = 0; k < 3; k++) {
          TFloat32 want = (TFloat32) r.get(k);
          TFloat32 got = (TFloat32) r.get(3 + k);
          assertEquals(want.shape(), got.shape());
          float[] a = new float[(int) want.size()];
          float[] b = new float[a.length];
          want.asRawTensor().data().asFloats().read(a);
          got.asRawTensor().data().asFloats().read(b);
          assertArrayEquals(a, b);
        }
      }
    }
  }

  @Test
  void twoWorkersAverageGatherAndSum(@TempDir Path dir) throws Exception {
    List<String> out = run(dir, 60, 0, 1);
    for (int i = 0; i < 2; i++) {
      assertTrue(out.get(i).startsWith("0 "), out.get(i));
      assertTrue(out.get(i).contains("worker " + i + " mean [1.5, 15.0] gather [0, 100, 1, 101] sumBucketed [3.0, 6.0] "
          + "[2, 2] [1.0, 2.0, 4.0, 3.0] null true"), out.get(i));
    }
  }
}

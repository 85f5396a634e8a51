package dev.simmatch.distributed;

import java.util.Arrays;
import java.util.List;
import org.tensorflow.DeviceSpec;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Server;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * One worker of a two-worker check run by {@link CollectivesTest} in a private network namespace:
 * TF_CONFIG from the environment, a gRPC server, a session on it, one mean and one gather under a
 * {@link StepWatchdog}, as in training. Prints the results and exits 0; on a collective failure
 * prints the message naming the missing task and exits 3.
 */
public final class CollectiveProbe {
  private CollectiveProbe() {}

  public static void main(String[] args) throws Exception {
    float timeout = Float.parseFloat(args[0]);
    TfConfig cluster = TfConfig.fromEnvironment().orElseThrow();
    Server server = new Server(cluster.serverDef());
    server.start();
    int i = cluster.index();
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g).withDevice(DeviceSpec.newBuilder().job("worker").replica(0).task(i)
          .deviceType(DeviceSpec.DeviceType.CPU).deviceIndex(0).build());
      Collectives c = new Collectives(tf, cluster.size(), 1);
      Operand<TFloat32> mean = c.mean(tf.constant(new float[] {i + 1f, 10f * (i + 1)}));
      Operand<TInt32> gathered = c.gather(tf.constant(new int[] {i, 100 + i}));
      // [2], none, [2, 2] in 16-byte buckets: two all-reduces; the null stays null.
      List<Operand<TFloat32>> summed = c.sumBucketed(Arrays.asList(tf.constant(new float[] {i + 1f, 2f * (i + 1)}), null,
          tf.constant(new float[][] {{i, 1f}, {2f, 3f * i}})), 16);
      ConfigProto config = ConfigProto.newBuilder().addDeviceFilters(TfConfig.task(i)).build();
      try (Session s = ClusterSession.open(g, "grpc://localhost:" + cluster.port(), config);
          StepWatchdog watchdog = new StepWatchdog(cluster, timeout);
          Result r = watchdog.run("probe",
              () -> s.runner().fetch(mean).fetch(gathered).fetch(summed.get(0)).fetch(summed.get(2)).run())) {
        float[] m = new float[2];
        ((TFloat32) r.get(0)).asRawTensor().data().asFloats().read(m);
        int[] gv = new int[4];
        ((TInt32) r.get(1)).asRawTensor().data().asInts().read(gv);
        float[] s0 = new float[2];
        ((TFloat32) r.get(2)).asRawTensor().data().asFloats().read(s0);
        float[] s2 = new float[4];
        ((TFloat32) r.get(3)).asRawTensor().data().asFloats().read(s2);
        System.out.println("worker " + i + " mean " + Arrays.toString(m) + " gather " + Arrays.toString(gv)
            + " sumBucketed " + Arrays.toString(s0) + " " + r.get(3).shape() + " " + Arrays.toString(s2)
            + " null " + (summed.get(1) == null));
      } catch (StepWatchdog.WorkerFailureException e) {
        System.out.println(e.getMessage());
        System.out.flush();
        Runtime.getRuntime().halt(StepWatchdog.EXIT_CODE);
      }
    }
    System.out.flush();
    // The peer may still be fetching from this server: give it time, then end the process
    // (Server.stop() is not implemented in this TensorFlow: "Clean shutdown").
    Thread.sleep(2000);
    Runtime.getRuntime().halt(0);
  }

}

package dev.simmatch.distributed;

import org.tensorflow.Graph;
import org.tensorflow.Server;
import org.tensorflow.Session;
import org.tensorflow.proto.ConfigProto;

/**
 * The session of one worker of a multi-worker run: this process's gRPC server (started on first
 * use) and a session on it that sees this task's devices only. A process is one task: the server is
 * kept for the life of the process (TensorFlow cannot stop it cleanly, "Clean shutdown is not
 * currently implemented"), and a second cluster in the same process is refused.
 */
public final class WorkerSession {
  private static Server server;
  private static TfConfig serving;

  private WorkerSession() {}

  /**
   * @param local intra-/inter-op threads as for a local session; the intra-op count is also the
   *     server's
   */
  public static synchronized Session open(Graph graph, TfConfig cluster, ConfigProto local) {
    if (server == null) {
      server = new Server(cluster.serverDef(local.getIntraOpParallelismThreads()));
      server.start();
      serving = cluster;
    } else if (!serving.equals(cluster)) {
      throw new IllegalStateException("this process already serves task " + serving.index() + " of " + serving.workers()
          + "; one process can be one task only");
    }
    ConfigProto config = local.toBuilder().addDeviceFilters(TfConfig.task(cluster.index())).build();
    return ClusterSession.open(graph, "grpc://localhost:" + cluster.port(), config);
  }
}

package dev.simmatch.distributed;

import java.lang.reflect.Constructor;
import org.bytedeco.javacpp.BytePointer;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.internal.c_api.TF_Session;
import org.tensorflow.internal.c_api.TF_SessionOptions;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.internal.c_api.global.tensorflow;
import org.tensorflow.proto.ConfigProto;

/**
 * A {@link Session} whose master is a gRPC server ({@code grpc://host:port}). Every public Session
 * constructor of TF Java makes a local session, which cannot place ops on {@code /job:worker/...}:
 * this one goes through the C API ({@code TF_SetTarget}) and TF Java's package-private
 * {@code Session(Graph, TF_Session)}. Such a session does not run the graph's initializers itself.
 */
public final class ClusterSession {
  private ClusterSession() {}

  public static Session open(Graph graph, String target, ConfigProto config) {
    TF_SessionOptions opts = tensorflow.TF_NewSessionOptions();
    TF_Status status = TF_Status.newStatus();
    try {
      tensorflow.TF_SetTarget(opts, target);
      byte[] bytes = config.toByteArray();
      try (BytePointer p = new BytePointer(bytes)) {
        tensorflow.TF_SetConfig(opts, p, bytes.length, status);
        status.throwExceptionIfNotOK();
      }
      TF_Session session = tensorflow.TF_NewSession(NativeGraphs.handle(graph), opts, status);
      status.throwExceptionIfNotOK();
      Constructor<Session> c = Session.class.getDeclaredConstructor(Graph.class, TF_Session.class);
      c.setAccessible(true);
      return c.newInstance(graph, session);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("TensorFlow Java's Session(Graph, TF_Session) is missing: this TF Java version is"
          + " not supported by " + ClusterSession.class.getName(), e);
    } finally {
      tensorflow.TF_DeleteSessionOptions(opts);
      status.delete();
    }
  }
}

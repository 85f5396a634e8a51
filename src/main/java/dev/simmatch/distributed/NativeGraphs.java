package dev.simmatch.distributed;

import java.lang.reflect.Field;
import org.tensorflow.Graph;
import org.tensorflow.internal.c_api.TF_Graph;

/** Access to the C graph behind a {@link Graph}, for C API calls TF Java does not wrap. */
public final class NativeGraphs {
  private NativeGraphs() {}

  /** The graph's TF_Graph (the private field {@code Graph.nativeHandle} of TF Java 1.1.0). */
  public static TF_Graph handle(Graph graph) {
    try {
      Field f = Graph.class.getDeclaredField("nativeHandle");
      f.setAccessible(true);
      return (TF_Graph) f.get(graph);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("TensorFlow Java's Graph has no nativeHandle field: this TF Java version is not"
          + " supported by " + NativeGraphs.class.getName(), e);
    }
  }
}

package dev.simmatch.distributed;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/** Which workers of a cluster answer on their gRPC port, to name the missing ones after a timeout. */
public final class Peers {
  private static final int CONNECT_MILLIS = 2000;

  private Peers() {}

  /** Tasks other than this one whose host:port refuses a TCP connection, as "task i (host:port)". */
  public static List<String> unreachable(TfConfig cluster) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < cluster.size(); i++) {
      if (i == cluster.index()) {
        continue;
      }
      String address = cluster.workers().get(i);
      int colon = address.lastIndexOf(':');
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1))),
            CONNECT_MILLIS);
      } catch (IOException e) {
        out.add("task " + i + " (" + address + ")");
      }
    }
    return out;
  }

  /** The message of a collective that timed out or failed: the unreachable tasks, or all peers if all answer. */
  public static String describeFailure(TfConfig cluster, float timeoutSeconds, Throwable cause) {
    List<String> gone = unreachable(cluster);
    String who = gone.isEmpty()
        ? "every worker answers on its port, so one of them is stuck or failed"
        : "no answer from " + String.join(", ", gone);
    return "worker " + cluster.index() + ": a collective op failed or did not complete within " + timeoutSeconds
        + " s (" + who + "): " + firstLine(cause);
  }

  /** TensorFlow's first line is often only "From /job:...:"; the cause is on the next one. */
  private static String firstLine(Throwable t) {
    for (String line : String.valueOf(t.getMessage()).split("\n")) {
      if (!line.isBlank() && !line.startsWith("From /job:")) {
        return line.strip();
      }
    }
    return String.valueOf(t.getMessage()).strip();
  }
}

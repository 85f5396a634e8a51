package dev.simmatch.bench;

import dev.simmatch.report.TextTable;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;

/**
 * Wall time per op type summed over traced {@code session.run} calls (TensorFlow's step stats).
 * The type is the kernel that ran, after TensorFlow's graph rewrites: {@code _MklNativeConv2D} for
 * a convolution that oneDNN took over, for instance.
 */
public final class OpProfile {
  static final RunOptions TRACE = RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build();

  private final Map<String, Long> micros = new HashMap<>();
  private final Map<String, Integer> counts = new HashMap<>();
  private int runs;

  public void add(RunMetadata metadata) {
    runs++;
    for (DeviceStepStats device : metadata.getStepStats().getDevStatsList()) {
      for (NodeExecStats node : device.getNodeStatsList()) {
        String type = opType(node);
        micros.merge(type, node.getOpEndRelMicros() - node.getOpStartRelMicros(), Long::sum);
        counts.merge(type, 1, Integer::sum);
      }
    }
  }

  /** "Conv2d_1 = _MklNativeConv2D(x, w)" -> "_MklNativeConv2D"; the node name if the label has no type. */
  static String opType(NodeExecStats node) {
    String label = node.getTimelineLabel();
    int eq = label.indexOf(" = ");
    if (eq < 0) {
      return node.getNodeName();
    }
    int paren = label.indexOf('(', eq);
    return label.substring(eq + 3, paren < 0 ? label.length() : paren);
  }

  /** The {@code top} op types by time: ms per run, share of the summed op time, ops per run. */
  public TextTable table(int top) {
    long total = micros.values().stream().mapToLong(Long::longValue).sum();
    TextTable t = new TextTable(1, "op type", "ms/step", "share", "ops/step");
    micros.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(top)
        .forEach(e -> t.add(e.getKey(),
            String.format(Locale.ROOT, "%.2f", e.getValue() / 1e3 / Math.max(1, runs)),
            String.format(Locale.ROOT, "%.1f%%", total == 0 ? 0 : 100.0 * e.getValue() / total),
            String.format(Locale.ROOT, "%.0f", (double) counts.get(e.getKey()) / Math.max(1, runs))));
    return t;
  }
}

package dev.simmatch.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.tensorflow.proto.NodeExecStats;

class OpProfileTest {
  @Test
  void opTypeIsTheKernelNamedInTheTimelineLabel() {
    assertEquals("_MklNativeConv2D", OpProfile.opType(NodeExecStats.newBuilder().setNodeName("Conv2d_1")
        .setTimelineLabel("Conv2d_1 = _MklNativeConv2D(x, w)").build()));
    assertEquals("NoOp", OpProfile.opType(NodeExecStats.newBuilder().setNodeName("train_op")
        .setTimelineLabel("train_op = NoOp()").build()));
    assertEquals("_SOURCE", OpProfile.opType(NodeExecStats.newBuilder().setNodeName("_SOURCE")
        .setTimelineLabel("_SOURCE").build()));
  }
}

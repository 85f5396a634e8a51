package dev.simmatch.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.simmatch.UserInputException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.ServerDef;

class TfConfigTest {
  private static final String TWO =
      "{\"cluster\": {\"worker\": [\"127.0.0.1:23456\", \"127.0.0.1:23457\"]}, \"task\": {\"type\": \"worker\", \"index\": %d}}";

  @Test
  void readsTheClusterAndTheTask() {
    TfConfig c = TfConfig.parse(String.format(TWO, 1));
    assertEquals(List.of("127.0.0.1:23456", "127.0.0.1:23457"), c.workers());
    assertEquals(1, c.index());
    assertEquals(2, c.size());
    assertFalse(c.chief());
    assertEquals(23457, c.port());
    assertTrue(TfConfig.parse(String.format(TWO, 0)).chief());
    assertEquals("/job:worker/replica:0/task:1", TfConfig.task(1));
  }

  @Test
  void serverDefNamesTheClusterTheTaskAndTheCollectiveLeader() {
    ServerDef d = TfConfig.parse(String.format(TWO, 1)).serverDef();
    assertEquals("worker", d.getJobName());
    assertEquals(1, d.getTaskIndex());
    assertEquals("grpc", d.getProtocol());
    assertEquals("127.0.0.1:23457", d.getCluster().getJob(0).getTasksMap().get(1));
    assertEquals("/job:worker/replica:0/task:0", d.getDefaultSessionConfig().getExperimental().getCollectiveGroupLeader());
  }

  private static String error(String json) {
    return assertThrows(UserInputException.class, () -> TfConfig.parse(json)).getMessage();
  }

  @Test
  void badConfigsNameTheField() {
    assertTrue(error("{").contains("not JSON"));
    assertTrue(error("{\"task\": {}}").contains("\"cluster\""));
    assertTrue(error("{\"cluster\": {\"ps\": [\"a:1\"]}}").contains("'ps' is not supported"));
    assertTrue(error("{\"cluster\": {\"worker\": []}}").contains("cluster.worker must be a non-empty list"));
    assertTrue(error("{\"cluster\": {\"worker\": [\"a:1\", \"nohost\"]}}").contains("cluster.worker[1]"));
    assertTrue(error("{\"cluster\": {\"worker\": [\"a:70000\"]}}").contains("cluster.worker[0]"));
    assertTrue(error("{\"cluster\": {\"worker\": [\"a:1\", \"a:1\"]}}").contains("repeats a:1"));
    assertTrue(error("{\"cluster\": {\"worker\": [\"a:1\"]}, \"task\": {\"type\": \"chief\", \"index\": 0}}")
        .contains("\"task\""));
    assertTrue(error(String.format(TWO, 2)).contains("task.index 2"));
  }
}

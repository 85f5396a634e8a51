package dev.simmatch.model;

import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.simmatch.GraphTester;
import org.junit.jupiter.api.Test;

/** SimCLR projection head construction (its numbers are checked by the proj-head vector family). */
class SimclrHeadTest {
  @Test
  void rejectsAHeadWithoutLayers() {
    try (GraphTester g = new GraphTester()) {
      assertThrows(IllegalArgumentException.class, () -> new SimclrHead(new Params(g.tf, ""), 0, 4, 4, 0, 0.9f));
    }
  }
}

package dev.simmatch.algorithms;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.simmatch.UserInputException;
import dev.simmatch.config.ConfigLoader;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SimCLR's configuration checks and batch accounting. */
class SimClrTest {
  @Test
  void needsTheSimclrHeadAndViews() {
    UserInputException head = assertThrows(UserInputException.class, () -> AlgorithmRegistry.create(
        ConfigLoader.load(null, List.of("algorithm.name=simclr", "data.strong=simclr")), 10, 0, 128));
    assertTrue(head.getMessage().contains("model.head"), head.getMessage());
    UserInputException views = assertThrows(UserInputException.class, () -> AlgorithmRegistry.create(
        ConfigLoader.load(null, List.of("algorithm.name=simclr", "model.head=simclr")), 10, 0, 128));
    assertTrue(views.getMessage().contains("data.strong"), views.getMessage());
    assertThrows(UserInputException.class, () -> AlgorithmRegistry.create(ConfigLoader.load(null, List.of(
        "algorithm.name=simclr", "model.head=simclr", "data.strong=simclr", "algorithm.temperature=0")), 10, 0, 128));
  }

  @Test
  void scalesTheLearningRateByTheUnlabeledBatch() {
    Algorithm a = AlgorithmRegistry.create(ConfigLoader.load(null, List.of(
        "algorithm.name=simclr", "model.head=simclr", "data.strong=simclr")), 10, 0, 128);
    assertFalse(a.usesLabeled());
    assertTrue(a.usesUnlabeled());
    org.junit.jupiter.api.Assertions.assertEquals(256, a.scalingBatch(32, 8));
    org.junit.jupiter.api.Assertions.assertEquals(32, new Supervised(10).scalingBatch(32, 8));
  }
}

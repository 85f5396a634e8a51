package dev.simmatch.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.simmatch.UserInputException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The checks of train.replicas and train.replica_device. */
class ReplicasConfigTest {
  private static String error(String... sets) {
    return assertThrows(UserInputException.class, () -> ConfigLoader.load(null, List.of(sets))).getMessage();
  }

  @Test
  void defaultsAreOneReplicaOnCpu() {
    Config c = ConfigLoader.load(null, List.of());
    assertEquals(1, c.train().replicas());
    assertEquals("cpu", c.train().replicaDevice());
    assertEquals(4, ConfigLoader.load(null, List.of("train.replicas=4", "train.batch_size=32")).train().replicas());
  }

  @Test
  void badValuesNameTheKey() {
    assertTrue(error("train.replicas=0").contains("'train.replicas' must be in [1, 64]"));
    assertTrue(error("train.replica_device=tpu").contains("'train.replica_device' must be one of cpu, gpu"));
    assertTrue(error("train.replicas=3", "train.batch_size=32").contains("must divide train.batch_size (32)"));
    assertTrue(error("train.replicas=2", "train.batch_size=32", "algorithm.name=remixmatch")
        .contains("algorithm.name (with train.replicas > 1)' must be one of supervised, fixmatch, simmatch"));
  }
}

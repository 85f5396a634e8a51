package dev.simmatch.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.simmatch.UserInputException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** train.collective_timeout and the checks of a config run by the workers of a TF_CONFIG cluster. */
class ClusterConfigTest {
  private static String loadError(String... sets) {
    return assertThrows(UserInputException.class, () -> ConfigLoader.load(null, List.of(sets))).getMessage();
  }

  private static String workersError(int workers, String... sets) {
    Config c = ConfigLoader.load(null, List.of(sets));
    return assertThrows(UserInputException.class, () -> ConfigChecks.checkWorkers(c, workers, "TF_CONFIG")).getMessage();
  }

  @Test
  void collectiveTimeoutDefaultsTo600SecondsAndIsChecked() {
    assertEquals(600, ConfigLoader.load(null, List.of()).train().collectiveTimeout());
    assertEquals(2.5, ConfigLoader.load(null, List.of("train.collective_timeout=2.5")).train().collectiveTimeout());
    assertTrue(loadError("train.collective_timeout=0").contains("'train.collective_timeout' must be a finite number > 0"));
    assertTrue(loadError("train.collective_timeout=-3").contains("'train.collective_timeout'"));
    assertTrue(loadError("train.collective_timeout=100000").contains("must be at most 86400.0 seconds"));
  }

  @Test
  void aConfigMustFitTheWorkers() {
    ConfigChecks.checkWorkers(ConfigLoader.load(null, List.of("train.batch_size=32")), 4, "TF_CONFIG");
    assertTrue(workersError(3, "train.batch_size=32")
        .contains("'train.batch_size' must be divisible by the 3 workers of TF_CONFIG, got 32"));
    assertTrue(workersError(2, "train.replicas=2", "train.batch_size=32")
        .contains("'train.replicas' must be 1 in a multi-worker run"));
    assertTrue(workersError(2, "train.batch_size=32", "algorithm.name=remixmatch")
        .contains("'algorithm.name (with TF_CONFIG)' must be one of supervised, fixmatch, simmatch"));
  }
}

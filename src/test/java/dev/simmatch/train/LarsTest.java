package dev.simmatch.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.simmatch.UserInputException;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** LARS exclusions as configured (its numbers are checked by the lars vector family). */
class LarsTest {
  @Test
  void defaultExclusionsCoverBatchNormBiasAndClassifier() {
    List<Pattern> p = Lars.patterns("train.lars_exclude", dev.simmatch.config.ConfigLoader.defaults().train().larsExclude());
    for (String n : List.of("backbone.bn1.weight", "backbone.bn1.bias", "proj_head.0.bn.weight",
        "backbone.classifier.weight", "backbone.fc.weight", "block1.layer.0.bn2.bias")) {
      assertTrue(Lars.excluded(n, p), n);
    }
    for (String n : List.of("backbone.conv1.weight", "proj_head.0.dense.weight", "mlp_proj.0.weight")) {
      assertFalse(Lars.excluded(n, p), n);
    }
  }

  @Test
  void badPatternNamesTheKey() {
    UserInputException e = assertThrows(UserInputException.class, () -> Lars.patterns("train.lars_exclude", List.of("(")));
    assertTrue(e.getMessage().contains("train.lars_exclude"));
    assertEquals(0, Lars.patterns("k", null).size());
  }
}

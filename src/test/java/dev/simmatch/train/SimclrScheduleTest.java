package dev.simmatch.train;

import static dev.simmatch.selfsup.SelfsupVectors.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.simmatch.UserInputException;
import dev.simmatch.selfsup.SelfsupVectors;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/** SimCLR's batch scaling, epoch-to-step conversion and warm-up + cosine against lr-schedule vectors. */
class SimclrScheduleTest {
  static Stream<Path> files() {
    return SelfsupVectors.files("lr-schedule").stream();
  }

  @ParameterizedTest
  @MethodSource("files")
  void matchesReference(Path file) {
    JsonNode v = SelfsupVectors.read(file);
    JsonNode cfg = v.get("config");
    JsonNode out = v.get("outputs");
    int batch = cfg.get("batch").asInt();
    double scaled = LearningRate.scaled(cfg.get("base_lr").asDouble(), batch, cfg.get("scaling").asText());
    long[] steps = LearningRate.simclrSteps(cfg.get("num_examples").asLong(), batch,
        cfg.get("warmup_epochs").asDouble(), cfg.get("train_epochs").asLong(), cfg.get("train_steps").asLong());
    assertEquals(out.get("warmup_steps").asLong(), steps[0], "warmup_steps");
    assertEquals(out.get("total_steps").asLong(), steps[1], "total_steps");
    assertClose("scaled_lr", out.get("scaled_lr"), new float[] {(float) scaled});
    JsonNode at = v.get("inputs").get("steps");
    float[] got = new float[at.size()];
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TInt64> step = tf.placeholder(TInt64.class);
      Operand<TFloat32> rate = LearningRate.build(tf, step, "warmup-cosine", scaled, steps[1], 0, steps[0]);
      try (Session s = new Session(g)) {
        for (int i = 0; i < got.length; i++) {
          try (TInt64 t = TInt64.scalarOf(at.get(i).asLong());
              TFloat32 r = (TFloat32) s.runner().feed(step, t).fetch(rate).run().get(0)) {
            got[i] = r.getFloat();
          }
        }
      }
    }
    assertClose(file.getFileName() + " lr", out.get("lr"), got);
  }

  @Test
  void unknownScalingNamesTheKey() {
    UserInputException e = assertThrows(UserInputException.class, () -> LearningRate.scaled(1, 256, "log"));
    assertEquals(true, e.getMessage().contains("train.lr_scaling"));
  }
}

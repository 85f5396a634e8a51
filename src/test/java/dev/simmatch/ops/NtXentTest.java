package dev.simmatch.ops;

import static dev.simmatch.selfsup.SelfsupVectors.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.simmatch.GraphTester;
import dev.simmatch.selfsup.SelfsupVectors;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Operand;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.Result;

/** NT-Xent against the ntxent and ntxent-nonorm reference vectors (official SimCLR loss). */
class NtXentTest {
  static Stream<Path> files() {
    return Stream.concat(SelfsupVectors.files("ntxent").stream(), SelfsupVectors.files("ntxent-nonorm").stream());
  }

  @ParameterizedTest
  @MethodSource("files")
  void matchesReference(Path file) {
    JsonNode v = SelfsupVectors.read(file);
    JsonNode in = v.get("inputs");
    JsonNode out = v.get("outputs");
    float t = (float) v.get("config").get("temperature").asDouble();
    boolean norm = v.get("config").get("hidden_norm").asBoolean();
    try (GraphTester g = new GraphTester();
        TFloat32 h1 = SelfsupVectors.tensor(in.get("hidden1"));
        TFloat32 h2 = SelfsupVectors.tensor(in.get("hidden2"))) {
      Placeholder<TFloat32> p1 = g.tf.placeholder(TFloat32.class);
      Placeholder<TFloat32> p2 = g.tf.placeholder(TFloat32.class);
      NtXent.Terms terms = NtXent.loss(g.tf, p1, p2, t, norm);
      Gradients grads = g.tf.gradients(terms.loss(), List.of(p1, p2));
      int replicas = v.get("dims").get("replicas_check").asInt();
      List<Object[]> checks = List.of(
          new Object[] {"hidden1_used", terms.hidden1()}, new Object[] {"hidden2_used", terms.hidden2()},
          new Object[] {"logits_ab", terms.logitsAb()}, new Object[] {"logits_ba", terms.logitsBa()},
          new Object[] {"logits_aa", terms.logitsAa()}, new Object[] {"logits_bb", terms.logitsBb()},
          new Object[] {"labels", terms.labels()}, new Object[] {"ce_a", terms.ceA()}, new Object[] {"ce_b", terms.ceB()},
          new Object[] {"loss_a", terms.lossA()}, new Object[] {"loss_b", terms.lossB()},
          new Object[] {"loss", terms.loss()}, new Object[] {"contrast_acc", terms.contrastAcc()},
          new Object[] {"contrast_entropy", terms.contrastEntropy()},
          new Object[] {"loss_per_replica", NtXent.lossPerReplica(g.tf, terms, replicas)},
          new Object[] {"grad_hidden1", grads.dy(0)}, new Object[] {"grad_hidden2", grads.dy(1)});
      for (Object[] c : checks) {
        @SuppressWarnings("unchecked")
        Operand<TFloat32> op = (Operand<TFloat32>) c[1];
        try (Result r = g.session().runner().feed(p1, h1).feed(p2, h2).fetch(op).run()) {
          TFloat32 got = (TFloat32) r.get(0);
          float[] values = new float[Math.toIntExact(got.shape().size())];
          got.copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(values, false, false));
          assertClose(file.getFileName() + " " + c[0], out.get((String) c[0]), values);
        }
      }
      java.util.Set<String> checked = new java.util.TreeSet<>();
      checks.forEach(c -> checked.add((String) c[0]));
      java.util.Set<String> all = new java.util.TreeSet<>();
      out.fieldNames().forEachRemaining(all::add);
      assertEquals(all, checked, "every output of the file is checked");
    }
  }
}

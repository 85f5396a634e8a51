package dev.simmatch.check.vectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.simmatch.TestPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SimCLR families (ntxent, ntxent-nonorm, lars, proj-head, lr-schedule) and SimCLRv2's
 * distillation on the shipped self-supervised vectors, and corrupted copies that must fail naming
 * the tensor.
 */
class SelfsupFamiliesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static List<Path> files() {
    return VectorChecker.files(TestPaths.reference().resolve("selfsup-vectors"));
  }

  @Test
  void everySelfSupervisedReferenceVectorPasses() {
    List<Path> files = files();
    assertEquals(18, files.size(), "ntxent, ntxent-nonorm, lars, proj-head, lr-schedule, distill: 3 seeds each");
    for (Path f : files) {
      Comparison.Result r = VectorChecker.check(f);
      assertTrue(r.passed(), f.getFileName() + ": " + r.problems());
      assertTrue(r.worstRatio() <= 0.1, f.getFileName() + " uses " + r.worstRatio() + " of the tolerance");
    }
  }

  /** Copies a file with one number changed (path of object keys / list indices, then a flat index). */
  private static Path corrupt(Path dir, String name, double delta, String... path) throws Exception {
    ObjectNode root = (ObjectNode) JSON.readTree(TestPaths.reference().resolve("selfsup-vectors").resolve(name).toFile());
    com.fasterxml.jackson.databind.JsonNode n = root;
    for (int i = 0; i < path.length - 1; i++) {
      n = n.isArray() ? n.get(Integer.parseInt(path[i])) : n.get(path[i]);
    }
    String last = path[path.length - 1];
    while (n.isArray() && n.get(0).isArray()) {
      n = n.get(0);
    }
    ArrayNode row = (ArrayNode) n;
    row.set(Integer.parseInt(last), row.get(Integer.parseInt(last)).asDouble() + delta);
    Path out = dir.resolve(name);
    Files.writeString(out, JSON.writeValueAsString(root));
    return out;
  }

  @Test
  void wrongNumbersFailNamingTheTensor(@TempDir Path dir) throws Exception {
    Comparison.Result ntxent = VectorChecker.check(corrupt(dir, "ntxent-1.json", 1e-2, "outputs", "grad_hidden2", "0"));
    assertFalse(ntxent.passed());
    assertTrue(ntxent.problems().toString().contains("grad_hidden2"), ntxent.problems().toString());

    Comparison.Result lars = VectorChecker.check(
        corrupt(dir, "lars-2.json", 1e-2, "outputs", "after_step", "1", "momentum", "head_contrastive/nl_0/dense/kernel", "0"));
    assertFalse(lars.passed());
    assertTrue(lars.problems().toString().contains("after_step[1].momentum.head_contrastive/nl_0/dense/kernel"),
        lars.problems().toString());

    Comparison.Result head = VectorChecker.check(corrupt(dir, "proj-head-3.json", 1e-2, "outputs", "moving_variance_after_1", "0"));
    assertFalse(head.passed());
    assertTrue(head.problems().toString().contains("moving_variance_after_1"), head.problems().toString());

    Comparison.Result kd = VectorChecker.check(corrupt(dir, "distill-2.json", 1e-2, "outputs", "grad_mixed_student_logits", "3"));
    assertFalse(kd.passed());
    assertTrue(kd.problems().toString().contains("grad_mixed_student_logits"), kd.problems().toString());

    Comparison.Result lr = VectorChecker.check(corrupt(dir, "lr-schedule-3.json", 1e-3, "outputs", "lr", "4"));
    assertFalse(lr.passed());
    assertTrue(lr.problems().toString().contains("lr"), lr.problems().toString());
  }
}

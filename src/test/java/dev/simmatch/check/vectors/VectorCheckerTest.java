package dev.simmatch.check.vectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.simmatch.TestPaths;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checker on the shipped reference vectors, on generated vectors with other shapes and
 * settings, and on corrupted files (which must fail, naming the tensor or key).
 */
class VectorCheckerTest {
  private static Path vectors() {
    return TestPaths.reference().resolve("ssl-vectors");
  }

  @Test
  void everyReferenceVectorPasses() {
    List<Path> files = VectorChecker.files(vectors());
    assertTrue(files.size() >= 18, "reference folder holds " + files.size() + " files");
    for (Path f : files) {
      Comparison.Result r = VectorChecker.check(f);
      assertTrue(r.passed(), f.getFileName() + ": " + r.problems());
      assertTrue(
          r.worstRatio() <= 1 && r.maxError() < 1e-3,
          f.getFileName() + " max error " + r.maxError());
    }
  }

  @Test
  void generatedVectorsWithOtherShapesAndSettingsPass(@TempDir Path dir) throws Exception {
    // official form: eps 0, overwrite, queue pointer at the last slot (wraps to 0)
    ReferenceVectors.writeSimMatch(
        dir.resolve("simmatch-a.json"),
        new ReferenceVectors.SimMatchSpec(
            5,
            6,
            13,
            7,
            9,
            true,
            0.45,
            2.0,
            3.0,
            0.15,
            0.2,
            0.8,
            "queue",
            5,
            4,
            0.0,
            "overwrite",
            0,
            11));
    // USB form during warm-up: eps, momentum bank, pointer at 0
    ReferenceVectors.writeSimMatch(
        dir.resolve("simmatch-b.json"),
        new ReferenceVectors.SimMatchSpec(
            4,
            3,
            6,
            5,
            3,
            false,
            0.5,
            1.0,
            1.0,
            0.1,
            0.1,
            0.9,
            "queue",
            3,
            0,
            1e-6,
            "momentum",
            0.6,
            12));
    // no alignment, single-class-heavy bank
    ReferenceVectors.writeSimMatch(
        dir.resolve("simmatch-c.json"),
        new ReferenceVectors.SimMatchSpec(
            3,
            4,
            21,
            4,
            11,
            true,
            0.6,
            1.5,
            0.5,
            0.07,
            0.1,
            0.7,
            "none",
            1,
            0,
            0.0,
            "momentum",
            0.3,
            13));
    ReferenceVectors.writeFixMatch(dir.resolve("fixmatch-a.json"), 4, 3, 7, 0.6, 0.5, 14);
    ReferenceVectors.writeDaEma(dir.resolve("da-ema-a.json"), 6, 5, 4, 0.9, 1e-3, true, 15);
    ReferenceVectors.writeDaEma(dir.resolve("da-ema-b.json"), 3, 2, 2, 0.5, 1e-6, false, 16);
    for (Path f : VectorChecker.files(dir)) {
      Comparison.Result r = VectorChecker.check(f);
      assertTrue(r.passed(), f.getFileName() + ": " + r.problems());
    }
  }

  @Test
  void aPerturbedGradientFailsAndIsNamed(@TempDir Path dir) throws Exception {
    ObjectMapper json = new ObjectMapper();
    Path source = vectors().resolve("simmatch-usb-cifar-propagate-1.json");
    ObjectNode root = (ObjectNode) json.readTree(source.toFile());
    ArrayNode row = (ArrayNode) root.get("outputs").get("grad_feats_u_s").get(3);
    row.set(2, DoubleNode.valueOf(row.get(2).asDouble() + 1e-3));
    Path bad = dir.resolve("perturbed.json");
    json.writeValue(bad.toFile(), root);

    Comparison.Result r = VectorChecker.check(bad);
    assertFalse(r.passed());
    assertEquals("grad_feats_u_s", r.worstTensor());
    assertTrue(
        r.problems().get(0).startsWith("grad_feats_u_s: element 50"), r.problems().toString());
  }

  @Test
  void aWrongShapeIsReportedWithItsKey(@TempDir Path dir) throws Exception {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = (ObjectNode) json.readTree(vectors().resolve("fixmatch-1.json").toFile());
    ((ArrayNode) root.get("inputs").get("logits_u_s")).remove(0);
    Path bad = dir.resolve("short.json");
    json.writeValue(bad.toFile(), root);

    Comparison.Result r = VectorChecker.check(bad);
    assertFalse(r.passed());
    assertTrue(r.problems().get(0).contains("inputs.logits_u_s"), r.problems().toString());
  }

  @Test
  void anUnknownAlgorithmOrAnUncheckedOutputFails(@TempDir Path dir) throws Exception {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = (ObjectNode) json.readTree(vectors().resolve("da-ema-1.json").toFile());
    ((ObjectNode) root.get("outputs")).put("p_target_after", 1.0);
    json.writeValue(dir.resolve("extra.json").toFile(), root);
    root.put("algorithm", "meanteacher");
    json.writeValue(dir.resolve("unknown.json").toFile(), root);

    Comparison.Result extra = VectorChecker.check(dir.resolve("extra.json"));
    assertFalse(extra.passed());
    assertTrue(extra.problems().toString().contains("p_target_after"));
    assertFalse(VectorChecker.check(dir.resolve("unknown.json")).passed());
  }

  @Test
  void everyReMixMatchReferenceVectorPasses() {
    List<Path> files = VectorChecker.files(TestPaths.reference().resolve("remixmatch-vectors"));
    assertEquals(9, files.size(), "first, ramp and full cases for seeds 1-3");
    for (Path f : files) {
      Comparison.Result r = VectorChecker.check(f);
      assertEquals("remixmatch", r.algorithm());
      assertTrue(r.passed(), f.getFileName() + ": " + r.problems());
      assertTrue(r.worstRatio() <= 1 && r.maxError() < 1e-4, f.getFileName() + " max error " + r.maxError());
    }
  }

  @Test
  void generatedReMixMatchVectorsWithOtherShapesAndSettingsPass(@TempDir Path dir) throws Exception {
    // mu = 2, C = 4, first step without p_model, short ramp mid-way
    ReferenceVectors.writeReMixMatch(dir.resolve("remixmatch-a.json"),
        new ReferenceVectors.ReMixMatchSpec(4, 3, 6, 5, 0.4, 1.0, 0.7, 0.3, 0.25, 40, 0, false, 0.9, 1e-6, 21));
    ReferenceVectors.writeReMixMatch(dir.resolve("remixmatch-b.json"),
        new ReferenceVectors.ReMixMatchSpec(4, 3, 6, 5, 0.4, 1.0, 0.7, 0.3, 0.25, 40, 7, true, 0.9, 1e-6, 22));
    // Bu not a multiple of Bx, ramp finished, T = 1, rotation weight 0
    ReferenceVectors.writeReMixMatch(dir.resolve("remixmatch-c.json"),
        new ReferenceVectors.ReMixMatchSpec(7, 2, 3, 1, 1.0, 2.0, 0.0, 0.0, 0.5, 10, 9, true, 0.5, 1e-3, 23));
    for (Path f : VectorChecker.files(dir)) {
      Comparison.Result r = VectorChecker.check(f);
      assertTrue(r.passed(), f.getFileName() + ": " + r.problems());
    }
  }

  @Test
  void aReMixMatchFileWithAWrongTermOrAnUnsupportedSettingFails(@TempDir Path dir) throws Exception {
    ObjectMapper json = new ObjectMapper();
    Path source = TestPaths.reference().resolve("remixmatch-vectors/remixmatch-ramp-2.json");
    ObjectNode root = (ObjectNode) json.readTree(source.toFile());
    ObjectNode outputs = (ObjectNode) root.get("outputs");
    outputs.put("loss_rot", outputs.get("loss_rot").asDouble() + 1e-3);
    json.writeValue(dir.resolve("rot.json").toFile(), root);
    Comparison.Result r = VectorChecker.check(dir.resolve("rot.json"));
    assertFalse(r.passed());
    assertEquals("loss_rot", r.worstTensor());

    root = (ObjectNode) json.readTree(source.toFile());
    ((ObjectNode) root.get("config")).put("mixup_is_bias", false);
    json.writeValue(dir.resolve("bias.json").toFile(), root);
    r = VectorChecker.check(dir.resolve("bias.json"));
    assertFalse(r.passed());
    assertTrue(r.problems().get(0).contains("config.mixup_is_bias"), r.problems().toString());
  }
}

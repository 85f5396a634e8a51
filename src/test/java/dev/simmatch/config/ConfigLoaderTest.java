package dev.simmatch.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.simmatch.UserInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir Path dir;

  private Path write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
    return p;
  }

  @Test
  void defaultsHoldTheRequiredKeys() {
    Config c = ConfigLoader.defaults();
    assertEquals("simmatch", c.algorithm().name());
    assertEquals("fashion-mnist", c.data().dataset());
    assertNull(c.data().dir());
    assertEquals(40, c.data().labels());
    assertEquals(1, c.data().seed());
    assertEquals("cnn-small", c.model().arch());
    assertEquals(3000, c.train().steps());
    assertEquals(32, c.train().batchSize());
    assertEquals(7, c.train().mu());
    assertEquals(500, c.train().evalEvery());
    assertEquals(2, c.train().threads());
  }

  @Test
  void precedenceIsDefaultsThenBaseThenFileThenSet() throws IOException {
    write("base.yaml", "train:\n  steps: 100\n  mu: 5\nalgorithm:\n  tau: 0.7\n");
    Path file = write("sub/exp.yaml", "extends: ../base.yaml\ntrain:\n  steps: 200\n");
    Config c = ConfigLoader.load(file, List.of("train.mu=3", "data.labels=250"));
    assertEquals(200, c.train().steps(), "file beats base");
    assertEquals(3, c.train().mu(), "--set beats base");
    assertEquals(0.7, c.algorithm().tau(), 1e-12, "base beats defaults");
    assertEquals(250, c.data().labels());
    assertEquals(32, c.train().batchSize(), "defaults fill the rest");
  }

  @Test
  void unknownKeyInFileNamesKeyAndFile() throws IOException {
    Path file = write("bad.yaml", "train:\n  stepz: 10\n");
    UserInputException e = assertThrows(UserInputException.class, () -> ConfigLoader.load(file, List.of()));
    assertTrue(e.getMessage().contains("train.stepz"), e.getMessage());
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
  }

  @Test
  void unknownKeyInBaseNamesTheBaseFile() throws IOException {
    Path base = write("base.yaml", "modle:\n  arch: wrn28_2\n");
    Path file = write("exp.yaml", "extends: base.yaml\n");
    UserInputException e = assertThrows(UserInputException.class, () -> ConfigLoader.load(file, List.of()));
    assertTrue(e.getMessage().contains("'modle'"), e.getMessage());
    assertTrue(e.getMessage().contains(base.toString()), e.getMessage());
  }

  @Test
  void wrongTypeNamesKeyAndOrigin() throws IOException {
    Path file = write("bad.yaml", "train:\n  steps: many\n");
    UserInputException e = assertThrows(UserInputException.class, () -> ConfigLoader.load(file, List.of()));
    assertTrue(e.getMessage().contains("train.steps"), e.getMessage());
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    UserInputException s =
        assertThrows(UserInputException.class, () -> ConfigLoader.load(null, List.of("train.mu=abc")));
    assertTrue(s.getMessage().contains("--set train.mu=abc"), s.getMessage());
    assertTrue(s.getMessage().contains("train.mu"), s.getMessage());
  }

  @Test
  void unknownSetKeyAndMalformedSetAreErrors() {
    UserInputException e =
        assertThrows(UserInputException.class, () -> ConfigLoader.load(null, List.of("data.labelz=4")));
    assertTrue(e.getMessage().contains("data.labelz"), e.getMessage());
    assertThrows(UserInputException.class, () -> ConfigLoader.load(null, List.of("novalue")));
  }

  @Test
  void missingFileAndCircularExtendsAreErrors() throws IOException {
    assertThrows(UserInputException.class, () -> ConfigLoader.load(dir.resolve("nope.yaml"), List.of()));
    write("a.yaml", "extends: b.yaml\n");
    Path b = write("b.yaml", "extends: a.yaml\n");
    UserInputException e = assertThrows(UserInputException.class, () -> ConfigLoader.load(b, List.of()));
    assertTrue(e.getMessage().contains("circular"), e.getMessage());
  }

  @Test
  void resolvedConfigRoundTripsThroughYaml() throws IOException {
    Config c = ConfigLoader.load(null, List.of("train.steps=7", "data.mean=[0.5]", "name=abc"));
    Path written = write("run/config.yaml", ConfigLoader.toYaml(c));
    assertEquals(c, ConfigLoader.load(written, List.of()));
  }

  @Test
  void committedConfigsLoad() throws IOException {
    Path configs = Path.of("configs");
    try (var files = Files.walk(configs)) {
      // configs/pipelines holds pipeline files, checked by PipelineTest
      List<Path> yamls = files.filter(p -> p.toString().endsWith(".yaml") && !p.startsWith(configs.resolve("pipelines")))
          .toList();
      assertTrue(yamls.size() >= 1, "configs/ holds the experiment files");
      for (Path p : yamls) {
        ConfigLoader.load(p, List.of());
      }
    }
  }

  private String error(String yaml) throws IOException {
    Path f = dir.resolve("bad.yaml");
    Files.writeString(f, yaml);
    return assertThrows(UserInputException.class, () -> ConfigLoader.load(f, List.of())).getMessage();
  }

  @Test
  void aKeyGivenTwiceIsAnError() throws IOException {
    String m = error("train:\n  steps: 10\n  steps: 20\n");
    assertTrue(m.contains("steps") && m.contains("line 3"), m);
  }

  @Test
  void unreadableNumbersNameTheLineOrTheKey() throws IOException {
    String m = error("train:\n  lr: .inf\n");
    assertTrue(m.contains("line 2"), m);
    m = error("train:\n  seed: 1e400\n");
    assertTrue(m.contains("key 'train.seed'"), m);
    m = error("train:\n  steps: 99999999999\n");
    assertTrue(m.contains("train.steps") || m.contains("'steps'"), m);
  }

  @Test
  void outOfRangeValuesAreRefusedAtLoadNamingTheKey() throws IOException {
    String[][] cases = {
      {"algorithm:\n  tau: 1.5\n", "algorithm.tau"},
      {"train:\n  steps: -5\n", "train.steps"},
      {"train:\n  batch_size: 100000\n", "train.batch_size"},
      {"train:\n  ema: 1.0\n", "train.ema"},
      {"train:\n  lr: 0\n", "train.lr"},
      {"model:\n  arch: wrn27_2\n", "model.arch"},
      {"model:\n  arch: wrn1000_64\n", "model.arch"},
      {"model:\n  proj_dim: 10000000\n", "model.proj_dim"},
      {"data:\n  dataset: fashion-mnist\n  mean: [0.1, 0.2, 0.3]\n", "data.mean"},
      {"data:\n  std: [0]\n", "data.std[0]"},
      {"algorithm:\n  da: queu\n", "algorithm.da"},
      {"data:\n  workers: 0\n", "data.workers"},
    };
    for (String[] c : cases) {
      String m = error(c[0]);
      assertTrue(m.contains("key '" + c[1] + "'"), c[0] + " -> " + m);
    }
  }
}

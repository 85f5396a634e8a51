package dev.simmatch.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.simmatch.data.Dataset;
import dev.simmatch.data.Datasets;
import dev.simmatch.data.Fixtures;
import dev.simmatch.data.LabeledSplit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataCommandTest {
  @TempDir Path tmp;


  @Test
  void inspectReportsFashionMnist() {
    CliRun r = CliRun.of("data", "inspect", "--dataset", "fashion-mnist", "--data-dir", Fixtures.DEBIAN_FASHION_MNIST.toString());
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("train:       60000 images"), r.out());
    assertTrue(r.out().contains("test:        10000 images"), r.out());
    assertTrue(r.out().contains("image shape: 28x28x1"), r.out());
    assertTrue(r.out().contains("classes:     10: T-shirt/top, Trouser,"), r.out());
    assertTrue(r.out().contains("found in:    " + Fixtures.DEBIAN_FASHION_MNIST), r.out());
    assertTrue(r.out().contains("per class:   train 6000 each, test 1000 each"), r.out());
  }

  @Test
  void truncatedIdxFileExitsTwoNamingTheFile() throws Exception {
    Path dir = tmp.resolve("fm");
    Fixtures.writeIdxSet(dir, 10, 10);
    // an image file whose header promises 60000 images of 28x28 but that ends after 1000 of them
    byte[] full = Fixtures.idx(new int[] {60000, 28, 28}, new byte[60000 * 784]);
    Path images = Fixtures.write(dir.resolve("train-images-idx3-ubyte.gz"),
        Fixtures.gzip(Arrays.copyOf(full, 16 + 1000 * 784)));
    CliRun r = CliRun.of("data", "inspect", "--dataset", "fashion-mnist", "--data-dir", dir.toString());
    assertEquals(2, r.exit(), r.out() + r.err());
    assertTrue(r.err().contains(images.toString()), r.err());
    assertTrue(r.err().contains("truncated"), r.err());
  }

  @Test
  void splitWritesAFileTrainingAccepts() {
    Path out = tmp.resolve("split.json");
    CliRun r = CliRun.of("data", "split", "--dataset", "fashion-mnist", "--data-dir", Fixtures.DEBIAN_FASHION_MNIST.toString(),
        "--labels", "40", "--seed", "1", "--out", out.toString());
    assertEquals(0, r.exit(), r.err());
    assertTrue(Files.exists(out));
    Dataset train = Datasets.load(Fixtures.data("data.dir=" + Fixtures.DEBIAN_FASHION_MNIST)).train();
    LabeledSplit split = LabeledSplit.read(out, train);
    assertEquals(40, split.size());
    assertArrayEquals(new int[] {4, 4, 4, 4, 4, 4, 4, 4, 4, 4}, split.perClassCounts());
    assertArrayEquals(LabeledSplit.create(train.labels(), 10, 40, 1).labeled(), split.labeled());
  }

  @Test
  void badInputExitsTwo() {
    Path out = tmp.resolve("s.json");
    CliRun indivisible = CliRun.of("data", "split", "--data-dir", Fixtures.DEBIAN_FASHION_MNIST.toString(), "--labels", "41",
        "--out", out.toString());
    assertEquals(2, indivisible.exit());
    assertTrue(indivisible.err().contains("not divisible"), indivisible.err());
    assertTrue(Files.notExists(out));
    CliRun unknown = CliRun.of("data", "inspect", "--dataset", "svhn");
    assertEquals(2, unknown.exit());
    assertTrue(unknown.err().contains("key 'data.dataset' must be one of") && unknown.err().contains("'svhn'"),
        unknown.err());
  }
}

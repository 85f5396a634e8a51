package dev.simmatch.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.simmatch.UserInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {
  @TempDir Path tmp;

  @Test
  void realFashionMnistFromTheDebianPackage() {
    DatasetBundle b = Datasets.load(Fixtures.data("data.dir=" + Fixtures.DEBIAN_FASHION_MNIST));
    Dataset train = b.train();
    assertEquals(60000, train.size());
    assertEquals(10000, b.test().size());
    assertEquals(28, train.height());
    assertEquals(28, train.width());
    assertEquals(1, train.channels());
    assertEquals(10, train.numClasses());
    assertEquals("Ankle boot", train.classNames().get(9));
    assertNull(b.extraUnlabeled());
    assertEquals(60000, b.unlabeledSize());
    // the first labels of the training file
    assertArrayEquals(new int[] {9, 0, 0, 3, 0, 2, 7, 2}, Arrays.copyOf(train.labels(), 8));
    int[] perClass = new int[10];
    for (int y : train.labels()) {
      perClass[y]++;
    }
    int[] sixThousand = new int[10];
    Arrays.fill(sixThousand, 6000);
    assertArrayEquals(sixThousand, perClass);
    // the published normalisation constants are the measured statistics of this training set
    double[][] stats = Datasets.pixelStats(train);
    assertEquals(0.2860, stats[0][0], 5e-5);
    assertEquals(0.3530, stats[1][0], 5e-5);
    assertArrayEquals(new float[] {0.2860f}, Datasets.defaultMean("fashion-mnist", 1));
    assertTrue(b.location().contains(Fixtures.DEBIAN_FASHION_MNIST.toString()), b.location());
  }

  @Test
  void defaultsPerDataset() {
    assertArrayEquals(new float[] {0.4914f, 0.4822f, 0.4465f}, Datasets.defaultMean("cifar10", 3));
    assertArrayEquals(new float[] {0.2675f, 0.2565f, 0.2761f}, Datasets.defaultStd("cifar100", 3));
    assertArrayEquals(new float[] {0.1307f}, Datasets.defaultMean("mnist", 1));
    assertEquals(68.4f / 255, Datasets.defaultStd("stl10", 3)[0]);
    assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f}, Datasets.defaultMean("folder", 3));
    assertArrayEquals(new float[] {0.5f}, Datasets.defaultStd("folder", 1));
    UserInputException e = assertThrows(UserInputException.class, () -> Datasets.defaultMean("cifar10", 1));
    assertTrue(e.getMessage().contains("3 channels, not 1"), e.getMessage());
    assertThrows(UserInputException.class, () -> Datasets.defaultMean("svhn", 3));

    assertFalse(Datasets.flip(Fixtures.data("data.dataset=mnist")));
    assertTrue(Datasets.flip(Fixtures.data("data.dataset=fashion-mnist")));
    assertFalse(Datasets.flip(Fixtures.data("data.dataset=cifar10", "data.flip=false")));

    assertArrayEquals(new float[] {0.25f}, Datasets.mean(Fixtures.data("data.mean=[0.25]"), 1));
    assertArrayEquals(new float[] {0.3530f}, Datasets.std(Fixtures.data(), 1));
    // a named dataset's channel count is known when the config loads; a folder's only with its images
    UserInputException early = assertThrows(UserInputException.class, () -> Fixtures.data("data.mean=[0.1, 0.2]"));
    assertTrue(early.getMessage().contains("key 'data.mean' must list one value per channel (1)"), early.getMessage());
    UserInputException len = assertThrows(UserInputException.class,
        () -> Datasets.mean(Fixtures.data("data.dataset=folder", "data.mean=[0.1, 0.2, 0.3]"), 1));
    assertTrue(len.getMessage().contains("data.mean has 3 values"), len.getMessage());
    assertThrows(UserInputException.class, () -> Datasets.std(Fixtures.data("data.std=[0.0]"), 1));
  }

  @Test
  void locatorSearchOrder() throws IOException {
    Path explicit = Files.createDirectories(tmp.resolve("explicit"));
    Path envRoot = tmp.resolve("env");
    Path system = tmp.resolve("system");
    Fixtures.writeIdxSet(envRoot.resolve("fashion-mnist"), 2, 1);
    Fixtures.writeIdxSet(system.resolve("fashion-mnist"), 2, 1);
    DatasetFiles spec = Datasets.files("fashion-mnist");
    String cache = "data.cache_dir=" + tmp.resolve("cache");

    DataLocator.Found env = DataLocator.forConfig(Fixtures.data(cache), Map.of("SIMMATCH_DATA", envRoot.toString()),
        List.of(system)).locate(spec);
    assertEquals(envRoot.resolve("fashion-mnist"), env.dir());
    assertEquals("$SIMMATCH_DATA", env.how());

    DataLocator.Found sys = DataLocator.forConfig(Fixtures.data(cache), Map.of(), List.of(system)).locate(spec);
    assertEquals(system.resolve("fashion-mnist"), sys.dir());
    assertEquals("system location", sys.how());

    // data.dir is authoritative: empty means an error, not a silent fallback
    UserInputException e = assertThrows(UserInputException.class,
        () -> DataLocator.forConfig(Fixtures.data(cache, "data.dir=" + explicit), Map.of(), List.of(system))
            .locate(spec));
    assertTrue(e.getMessage().contains("data.dir " + explicit) && e.getMessage().contains("train-images-idx3-ubyte.gz"),
        e.getMessage());

    // an incomplete copy is reported, not passed over
    Files.delete(envRoot.resolve("fashion-mnist/t10k-labels-idx1-ubyte.gz"));
    UserInputException partial = assertThrows(UserInputException.class,
        () -> DataLocator.forConfig(Fixtures.data(cache), Map.of("SIMMATCH_DATA", envRoot.toString()),
            List.of(system)).locate(spec));
    assertTrue(partial.getMessage().contains("incomplete") && partial.getMessage().contains("t10k-labels"),
        partial.getMessage());

    // raw (uncompressed) IDX names are accepted too
    Path raw = tmp.resolve("raw");
    String[] stems = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
        "t10k-labels-idx1-ubyte"};
    for (String stem : stems) {
      Fixtures.write(raw.resolve(stem), new byte[0]);
    }
    DataLocator.Found rawFound = DataLocator.forConfig(Fixtures.data(cache, "data.dir=" + raw), Map.of(), List.of())
        .locate(spec);
    assertEquals(raw.resolve(stems[3]), rawFound.files().get(3));
  }

  @Test
  void folderDatasetNeedsDataDirAndUnknownNamesAreRejected() {
    UserInputException e = assertThrows(UserInputException.class,
        () -> Datasets.load(Fixtures.data("data.dataset=folder")));
    assertTrue(e.getMessage().contains("needs data.dir"), e.getMessage());
    UserInputException name = assertThrows(UserInputException.class, () -> Fixtures.data("data.dataset=svhn"));
    assertTrue(name.getMessage().contains("must be one of fashion-mnist"), name.getMessage());
  }
}

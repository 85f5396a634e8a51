package dev.simmatch.train;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;

/** Damage to a real TensorFlow checkpoint is found and blamed on the right file. */
class CheckpointIntegrityTest {
  @TempDir Path dir;
  Path prefix;
  Path index;
  Path data;

  @BeforeEach
  void save() {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      float[] big = new float[5000];
      Arrays.fill(big, 0.25f);
      tf.withName("w").variable(tf.constant(big));
      tf.withName("b").variable(tf.constant(new float[] {1f, 2f, 3f}));
      tf.withName("step").variable(tf.constant(7L));
      s.initialize();
      prefix = dir.resolve("ckpt");
      s.save(prefix.toString());
    }
    index = dir.resolve("ckpt.index");
    data = CheckpointIntegrity.dataFile(prefix, 0, 1);
  }

  @Test
  void anIntactCheckpointPasses() {
    assertTrue(Files.isRegularFile(data), data + " is TensorFlow's name for the one shard");
    assertDoesNotThrow(() -> CheckpointIntegrity.verify(prefix));
  }

  @Test
  void everyFlippedByteOfTheDataFileIsFound() throws IOException {
    byte[] original = Files.readAllBytes(data);
    for (int at = 0; at < original.length; at += 997) {
      byte[] b = original.clone();
      b[at] ^= 0x10;
      Files.write(data, b);
      CheckpointIntegrity.CorruptCheckpointException e =
          assertThrows(CheckpointIntegrity.CorruptCheckpointException.class, () -> CheckpointIntegrity.verify(prefix));
      assertEquals(data, e.file());
      assertTrue(e.getMessage().contains("checksum"), e.getMessage());
    }
  }

  @Test
  void everyFlippedByteOfTheIndexIsFound() throws IOException {
    byte[] original = Files.readAllBytes(index);
    for (int at = 0; at < original.length; at++) {
      byte[] b = original.clone();
      b[at] ^= 0x01;
      Files.write(index, b);
      int pos = at;
      CheckpointIntegrity.CorruptCheckpointException e =
          assertThrows(CheckpointIntegrity.CorruptCheckpointException.class, () -> CheckpointIntegrity.verify(prefix),
              "flip at byte " + pos + " of " + original.length);
      assertTrue(e.file().equals(index) || e.file().equals(data), e.getMessage());
    }
  }

  @Test
  void truncatedAndMissingFilesAreNamed() throws IOException {
    byte[] d = Files.readAllBytes(data);
    Files.write(data, Arrays.copyOf(d, d.length - 5));
    CheckpointIntegrity.CorruptCheckpointException e =
        assertThrows(CheckpointIntegrity.CorruptCheckpointException.class, () -> CheckpointIntegrity.verify(prefix));
    assertEquals(data, e.file());
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());

    Files.delete(data);
    e = assertThrows(CheckpointIntegrity.CorruptCheckpointException.class, () -> CheckpointIntegrity.verify(prefix));
    assertEquals(data, e.file());

    byte[] i = Files.readAllBytes(index);
    for (int len : new int[] {0, 10, i.length / 2, i.length - 1}) {
      Files.write(index, Arrays.copyOf(i, len));
      e = assertThrows(CheckpointIntegrity.CorruptCheckpointException.class, () -> CheckpointIntegrity.verify(prefix));
      assertEquals(index, e.file());
    }
  }
}

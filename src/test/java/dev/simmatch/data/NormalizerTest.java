package dev.simmatch.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.simmatch.UserInputException;
import dev.simmatch.config.ConfigLoader;
import java.util.List;
import org.junit.jupiter.api.Test;

class NormalizerTest {
  @Test
  void computesToTensorThenNormalizeInFloat32() {
    Normalizer n = new Normalizer(new float[] {0.5f}, new float[] {0.25f});
    float[] out = new float[4];
    n.toFloat(new byte[] {0, (byte) 255, 51, (byte) 128}, out, 0);
    assertEquals(-2f, out[0]);
    assertEquals(2f, out[1]);
    assertEquals((51f / 255f - 0.5f) / 0.25f, out[2]);
    assertEquals(-1.2f, out[2], 1e-6f);
    assertEquals((128f / 255f - 0.5f) / 0.25f, out[3]);
  }

  @Test
  void usesEachChannelsStatisticsAndTheOffset() {
    Normalizer n = new Normalizer(new float[] {0.4914f, 0.4822f, 0.4465f}, new float[] {0.2023f, 0.1994f, 0.2010f});
    float[] out = new float[8];
    n.toFloat(new byte[] {10, 10, 10, (byte) 200, (byte) 200, (byte) 200}, out, 2);
    assertEquals(0f, out[0]);
    assertEquals(0f, out[1]);
    assertEquals((10f / 255f - 0.4914f) / 0.2023f, out[2]);
    assertEquals((10f / 255f - 0.4822f) / 0.1994f, out[3]);
    assertEquals((200f / 255f - 0.4465f) / 0.2010f, out[7]);
    assertTrue(out[2] != out[3]);
  }

  @Test
  void rejectsBadStatistics() {
    assertThrows(IllegalArgumentException.class, () -> new Normalizer(new float[] {0.5f}, new float[] {0f}));
    assertThrows(IllegalArgumentException.class, () -> new Normalizer(new float[] {0.5f, 0.5f}, new float[] {1f}));
    Normalizer n = new Normalizer(new float[] {0.5f, 0.5f, 0.5f}, new float[] {1f, 1f, 1f});
    assertThrows(IllegalArgumentException.class, () -> n.toFloat(new byte[4], new float[4], 0));
  }

  @Test
  void forConfigTakesDataMeanAndStd() {
    var data = ConfigLoader.load(null, List.of("data.mean=[0.25]", "data.std=[0.5]")).data();
    Normalizer n = Normalizer.forConfig(data, 1);
    assertArrayEquals(new float[] {0.25f}, n.mean());
    assertArrayEquals(new float[] {0.5f}, n.std());
    var wrong =
        ConfigLoader.load(null, List.of("data.dataset=folder", "data.mean=[0.25, 0.1, 0.2]", "data.std=[0.5, 0.1, 0.2]"))
            .data();
    UserInputException e = assertThrows(UserInputException.class, () -> Normalizer.forConfig(wrong, 1));
    assertTrue(e.getMessage().contains("data.mean"), e.getMessage());
  }
}

package dev.simmatch.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.simmatch.UserInputException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged PNG/JPEG files are refused by name instead of decoding to a partly gray picture. */
class ImageFilesTest {
  @TempDir Path dir;

  private static byte[] encode(String format, int side) throws IOException {
    Random r = new Random(1);
    BufferedImage img = new BufferedImage(side, side, BufferedImage.TYPE_3BYTE_BGR);
    for (int y = 0; y < side; y++) {
      for (int x = 0; x < side; x++) {
        img.setRGB(x, y, r.nextInt(1 << 24));
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, format, out);
    return out.toByteArray();
  }

  @Test
  void intactImagesDecode() throws IOException {
    for (String f : new String[] {"png", "jpg"}) {
      Path p = dir.resolve("ok." + f);
      Files.write(p, encode(f, 32));
      assertEquals(32, ImageFiles.decode(p).getWidth());
    }
  }

  @Test
  void everyFlippedByteOfAPngIsRefused() throws IOException {
    byte[] png = encode("png", 32);
    Path p = dir.resolve("x.png");
    for (int i = 0; i < png.length; i += 3) {
      byte[] b = png.clone();
      b[i] ^= 0x20;
      Files.write(p, b);
      UserInputException e = assertThrows(UserInputException.class, () -> ImageFiles.decode(p), "flip at " + i);
      assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
    }
  }

  @Test
  void everyTruncationIsRefused() throws IOException {
    for (String f : new String[] {"png", "jpg"}) {
      byte[] full = encode(f, 32);
      Path p = dir.resolve("t." + f);
      for (int len = 0; len < full.length; len += Math.max(1, full.length / 40)) {
        Files.write(p, Arrays.copyOf(full, len));
        int n = len;
        UserInputException e =
            assertThrows(UserInputException.class, () -> ImageFiles.decode(p), f + " cut to " + n + " bytes");
        assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
      }
    }
  }

  @Test
  void aHugeImageIsRefusedFromItsHeaderBeforeDecoding() throws IOException {
    byte[] png = encode("png", 32);
    // IHDR width and height (bytes 16-23) set to 10000 x 10000; the IHDR CRC is recomputed
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(png);
    b.putInt(16, 10000).putInt(20, 10000);
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(png, 12, 17);
    b.putInt(29, (int) crc.getValue());
    Path p = dir.resolve("huge.png");
    Files.write(p, png);
    UserInputException e = assertThrows(UserInputException.class, () -> ImageFiles.decode(p));
    assertTrue(e.getMessage().contains("10000x10000"), e.getMessage());
  }
}

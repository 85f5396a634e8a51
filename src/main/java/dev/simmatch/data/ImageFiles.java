package dev.simmatch.data;

import dev.simmatch.UserInputException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;

/**
 * Decoding of PNG and JPEG files that refuses damaged ones instead of returning a partly gray
 * picture: javax.imageio skips PNG chunk checksums and only warns about a JPEG cut short. PNG
 * chunks are checked against their CRC-32 first, decoder warnings are errors, and the size is read
 * from the header and checked against a pixel limit before any pixel buffer is allocated.
 */
public final class ImageFiles {
  /** Largest image decoded: Pillow's decompression-bomb limit (about 9459 x 9459). */
  public static final long MAX_PIXELS = 89_478_485L;

  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  private ImageFiles() {}

  /**
   * @throws UserInputException naming the file if it is not a readable, intact PNG or JPEG of at
   *     most {@link #MAX_PIXELS} pixels
   */
  public static BufferedImage decode(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UserInputException("cannot read image " + file + ": " + e.getMessage(), e);
    }
    if (startsWith(bytes, PNG_SIGNATURE)) {
      checkPngChunks(file, bytes);
    }
    try (ImageInputStream in = ImageIO.createImageInputStream(new java.io.ByteArrayInputStream(bytes))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (in == null || !readers.hasNext()) {
        throw new UserInputException("image " + file + " is neither PNG nor JPEG (no decoder recognises it)");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        long w = reader.getWidth(0);
        long h = reader.getHeight(0);
        if (w < 1 || h < 1 || w * h > MAX_PIXELS) {
          throw new UserInputException(
              "image " + file + " is " + w + "x" + h + " pixels; at most " + MAX_PIXELS + " pixels are decoded");
        }
        List<String> warnings = new ArrayList<>();
        reader.addIIOReadWarningListener((IIOReadWarningListener) (source, warning) -> warnings.add(warning));
        BufferedImage img = reader.read(0);
        if (!warnings.isEmpty()) {
          throw new UserInputException("image " + file + " is damaged: " + String.join("; ", warnings));
        }
        return img;
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof UserInputException u) {
        throw u;
      }
      throw new UserInputException("image " + file + " cannot be decoded (corrupt or truncated?): " + e.getMessage(), e);
    }
  }

  /** Every chunk up to IEND must be complete and match its CRC-32 (over type and data). */
  private static void checkPngChunks(Path file, byte[] b) {
    ByteBuffer buf = ByteBuffer.wrap(b);
    int at = PNG_SIGNATURE.length;
    while (true) {
      if (at + 12 > b.length) {
        throw new UserInputException("PNG image " + file + " is truncated (no IEND chunk)");
      }
      long length = buf.getInt(at) & 0xffffffffL;
      if (length > b.length - at - 12L) {
        throw new UserInputException(
            "PNG image " + file + " is truncated: the chunk at byte " + at + " announces " + length + " bytes");
      }
      String type = new String(b, at + 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
      CRC32 crc = new CRC32();
      crc.update(b, at + 4, 4 + (int) length);
      int stored = buf.getInt(at + 8 + (int) length);
      if ((int) crc.getValue() != stored) {
        throw new UserInputException(
            "PNG image " + file + " is damaged: checksum of the " + printable(type) + " chunk at byte " + at
                + " does not match");
      }
      at += 12 + (int) length;
      if (type.equals("IEND")) {
        return;
      }
    }
  }

  private static String printable(String s) {
    return s.replaceAll("[^\\x20-\\x7e]", "?");
  }

  private static boolean startsWith(byte[] b, byte[] prefix) {
    if (b.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (b[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}

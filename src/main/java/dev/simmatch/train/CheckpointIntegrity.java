package dev.simmatch.train;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.simmatch.UserInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.tensorflow.proto.BundleEntryProto;
import org.tensorflow.proto.BundleHeaderProto;
import org.tensorflow.proto.DataType;

/**
 * Checks a TensorFlow V2 checkpoint ({@code PREFIX.index} + {@code PREFIX.data-SSSSS-of-NNNNN})
 * against the checksums TensorFlow itself wrote, without loading it into a session, so a damaged
 * file is reported by name before a restore fails deep inside TensorFlow.
 *
 * <p>The index is a LevelDB-style table: a 48-byte footer (two block handles, then the magic
 * 0xdb4775248b80fb57), blocks each followed by a type byte and the masked CRC-32C of block + type,
 * an index block whose values are the handles of the data blocks. The data blocks map tensor names
 * to {@link BundleEntryProto}s (the empty key to the {@link BundleHeaderProto}); each entry gives
 * the shard, offset, size and masked CRC-32C of the tensor's bytes in its data file.
 */
public final class CheckpointIntegrity {
  private static final long TABLE_MAGIC = 0xdb4775248b80fb57L;
  private static final int FOOTER_BYTES = 48;
  private static final int BLOCK_TRAILER_BYTES = 5;
  private static final int MASK_DELTA = 0xa282ead8;
  /** Index files of the models here are kilobytes; anything near this is not an index. */
  private static final long MAX_INDEX_BYTES = 256L << 20;

  /** A checkpoint file that does not match what TensorFlow wrote. */
  public static final class CorruptCheckpointException extends UserInputException {
    private final Path file;

    CorruptCheckpointException(Path file, String detail) {
      super(file + ": " + detail);
      this.file = file;
    }

    /** The damaged (or missing) file. */
    public Path file() {
      return file;
    }
  }

  private CheckpointIntegrity() {}

  /**
   * Verifies every block of the index and every tensor's bytes in the data files.
   *
   * @param prefix the checkpoint prefix, e.g. {@code RUN/checkpoints/step-00000100/ckpt}
   * @throws CorruptCheckpointException naming the first damaged or missing file
   */
  public static void verify(Path prefix) {
    Path index = Path.of(prefix + ".index");
    byte[] table = readIndex(index);
    List<Entry> entries = entries(index, table);
    if (entries.isEmpty() || !entries.get(0).key().isEmpty()) {
      throw new CorruptCheckpointException(index, "no bundle header entry");
    }
    BundleHeaderProto header;
    try {
      header = BundleHeaderProto.parseFrom(entries.get(0).value());
    } catch (InvalidProtocolBufferException e) {
      throw new CorruptCheckpointException(index, "unreadable bundle header: " + e.getMessage());
    }
    int shards = header.getNumShards();
    if (shards < 1 || shards > 100_000) {
      throw new CorruptCheckpointException(index, "bundle header names " + shards + " data shards");
    }
    List<FileChannel> data = new ArrayList<>();
    try {
      for (int s = 0; s < shards; s++) {
        Path file = dataFile(prefix, s, shards);
        try {
          data.add(FileChannel.open(file, StandardOpenOption.READ));
        } catch (NoSuchFileException e) {
          throw new CorruptCheckpointException(file, "missing (named by " + index.getFileName() + ")");
        }
      }
      for (Entry e : entries.subList(1, entries.size())) {
        checkTensor(prefix, index, shards, data, e);
      }
    } catch (IOException e) {
      throw new CorruptCheckpointException(index, "cannot read checkpoint: " + e.getMessage());
    } finally {
      for (FileChannel c : data) {
        try {
          c.close();
        } catch (IOException ignored) {
          // read-only channel: nothing to lose
        }
      }
    }
  }

  /** {@code PREFIX.data-SSSSS-of-NNNNN}, TensorFlow's name for shard s of n. */
  static Path dataFile(Path prefix, int shard, int shards) {
    return Path.of(String.format("%s.data-%05d-of-%05d", prefix, shard, shards));
  }

  private record Entry(String key, byte[] value) {}

  private static void checkTensor(Path prefix, Path index, int shards, List<FileChannel> data, Entry e)
      throws IOException {
    BundleEntryProto entry;
    try {
      entry = BundleEntryProto.parseFrom(e.value());
    } catch (InvalidProtocolBufferException ex) {
      throw new CorruptCheckpointException(index, "unreadable entry of tensor '" + e.key() + "'");
    }
    if (entry.getSlicesCount() > 0) {
      return; // a partitioned variable: its slices are entries of their own
    }
    int shard = entry.getShardId();
    if (shard < 0 || shard >= shards) {
      throw new CorruptCheckpointException(index, "tensor '" + e.key() + "' names data shard " + shard);
    }
    Path file = dataFile(prefix, shard, shards);
    FileChannel ch = data.get(shard);
    long offset = entry.getOffset();
    long size = entry.getSize();
    if (offset < 0 || size < 0 || offset + size > ch.size()) {
      throw new CorruptCheckpointException(file,
          "truncated: tensor '" + e.key() + "' needs bytes " + offset + ".." + (offset + size) + " but the file has "
              + ch.size());
    }
    if (entry.getDtype() == DataType.DT_STRING) {
      return; // string tensors carry a checksum over their length prefixes too; none are saved here
    }
    CRC32C crc = new CRC32C();
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(size, 1 << 20));
    long at = offset;
    while (at < offset + size) {
      buf.clear().limit((int) Math.min(buf.capacity(), offset + size - at));
      int n = ch.read(buf, at);
      if (n <= 0) {
        throw new CorruptCheckpointException(file, "truncated inside tensor '" + e.key() + "'");
      }
      buf.flip();
      crc.update(buf);
      at += n;
    }
    if (mask((int) crc.getValue()) != entry.getCrc32C()) {
      throw new CorruptCheckpointException(file,
          "checksum of tensor '" + e.key() + "' (bytes " + offset + ".." + (offset + size) + ") does not match");
    }
  }

  private static byte[] readIndex(Path index) {
    try {
      long size = Files.size(index);
      if (size < FOOTER_BYTES || size > MAX_INDEX_BYTES) {
        throw new CorruptCheckpointException(index, size + " bytes, not a checkpoint index (truncated?)");
      }
      return Files.readAllBytes(index);
    } catch (NoSuchFileException e) {
      throw new CorruptCheckpointException(index, "missing");
    } catch (IOException e) {
      throw new CorruptCheckpointException(index, "cannot read: " + e.getMessage());
    }
  }

  /** All key/value pairs of the table, in key order. */
  private static List<Entry> entries(Path index, byte[] table) {
    ByteBuffer footer = ByteBuffer.wrap(table, table.length - FOOTER_BYTES, FOOTER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    if (footer.getLong(table.length - 8) != TABLE_MAGIC) {
      throw new CorruptCheckpointException(index, "bad table magic number (truncated or overwritten)");
    }
    Reader f = new Reader(index, table, table.length - FOOTER_BYTES, table.length - 8);
    long[] metaHandle = f.handle();
    long[] indexHandle = f.handle();
    for (int i = f.pos; i < table.length - 8; i++) {
      if (table[i] != 0) {
        throw new CorruptCheckpointException(index, "non-zero footer padding at byte " + i);
      }
    }
    block(index, table, metaHandle); // empty in TensorFlow's bundles, but its checksum is checked
    List<Entry> out = new ArrayList<>();
    for (Entry block : block(index, table, indexHandle)) {
      Reader h = new Reader(index, block.value(), 0, block.value().length);
      out.addAll(block(index, table, h.handle()));
    }
    return out;
  }

  /** The entries of the block at handle {offset, size}, after checking its CRC. */
  private static List<Entry> block(Path index, byte[] table, long[] handle) {
    long offset = handle[0];
    long size = handle[1];
    if (offset < 0 || size < 4 || offset + size + BLOCK_TRAILER_BYTES > table.length - FOOTER_BYTES) {
      throw new CorruptCheckpointException(index, "block handle " + offset + "+" + size + " outside the file");
    }
    int start = (int) offset;
    int end = (int) (offset + size);
    if (table[end] != 0) {
      throw new CorruptCheckpointException(index, "block at " + offset + " has compression type " + table[end]);
    }
    CRC32C crc = new CRC32C();
    crc.update(table, start, (int) size + 1);
    int stored = ByteBuffer.wrap(table, end + 1, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    if (mask((int) crc.getValue()) != stored) {
      throw new CorruptCheckpointException(index, "checksum of the block at byte " + offset + " does not match");
    }
    int restarts = ByteBuffer.wrap(table, end - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    long restartsStart = end - 4 - 4L * restarts;
    if (restarts < 0 || restartsStart < start) {
      throw new CorruptCheckpointException(index, "block at " + offset + " has a bad restart array");
    }
    List<Entry> out = new ArrayList<>();
    Reader r = new Reader(index, table, start, (int) restartsStart);
    byte[] key = new byte[0];
    while (r.pos < r.end) {
      int shared = (int) r.varint();
      int unshared = (int) r.varint();
      int valueLength = (int) r.varint();
      if (shared > key.length || unshared < 0 || valueLength < 0 || (long) r.pos + unshared + valueLength > r.end) {
        throw new CorruptCheckpointException(index, "bad entry in the block at " + offset);
      }
      byte[] next = new byte[shared + unshared];
      System.arraycopy(key, 0, next, 0, shared);
      System.arraycopy(table, r.pos, next, shared, unshared);
      r.pos += unshared;
      byte[] value = new byte[valueLength];
      System.arraycopy(table, r.pos, value, 0, valueLength);
      r.pos += valueLength;
      key = next;
      out.add(new Entry(new String(key, StandardCharsets.UTF_8), value));
    }
    return out;
  }

  /** LevelDB's CRC mask: rotate right by 15 bits and add a constant. */
  private static int mask(int crc) {
    return ((crc >>> 15) | (crc << 17)) + MASK_DELTA;
  }

  /** Varint reader over bytes[pos, end). */
  private static final class Reader {
    private final Path file;
    private final byte[] bytes;
    private int pos;
    private final int end;

    Reader(Path file, byte[] bytes, int pos, int end) {
      this.file = file;
      this.bytes = bytes;
      this.pos = pos;
      this.end = end;
    }

    long varint() {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (pos >= end) {
          throw new CorruptCheckpointException(file, "varint runs past its block");
        }
        int b = bytes[pos++] & 0xff;
        v |= (long) (b & 0x7f) << shift;
        if (b < 0x80) {
          return v;
        }
      }
      throw new CorruptCheckpointException(file, "varint longer than 10 bytes");
    }

    long[] handle() {
      return new long[] {varint(), varint()};
    }
  }
}

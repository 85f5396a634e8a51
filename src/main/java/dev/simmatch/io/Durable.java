package dev.simmatch.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * Publishing files so that a crash or power loss leaves either the old or the complete new
 * version: the new content is written under a temporary name, fsynced (file and directory),
 * renamed over the target, and the parent directory is fsynced so the rename itself is durable.
 * Without the first fsync a journaling file system may persist the rename before the data, and
 * the published name then points at zeros or a truncated file.
 */
public final class Durable {
  private Durable() {}

  /** fsyncs a regular file's data and metadata. */
  public static void syncFile(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  /** fsyncs a directory, making the creation, rename and deletion of its entries durable. */
  public static void syncDir(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  /** fsyncs every file and directory under root (root included), deepest first. */
  public static void syncTree(Path root) throws IOException {
    List<Path> all;
    try (Stream<Path> s = Files.walk(root)) {
      all = s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList();
    }
    for (Path p : all) {
      if (Files.isDirectory(p)) {
        syncDir(p);
      } else {
        syncFile(p);
      }
    }
  }

  /**
   * Publishes a fully written temporary file or directory under target (same directory): syncs
   * it, renames it over target and syncs the parent.
   */
  public static void publish(Path tmp, Path target) throws IOException {
    syncTree(tmp);
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
    syncDir(target.toAbsolutePath().getParent());
  }

  /** Writes text to file through a temporary file in the same directory and {@link #publish}. */
  public static void writeString(Path file, String text) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    Path tmp = Files.createTempFile(parent, "." + file.getFileName(), ".tmp");
    try {
      Files.writeString(tmp, text);
      publish(tmp, file);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}

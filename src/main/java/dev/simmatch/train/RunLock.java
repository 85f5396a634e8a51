package dev.simmatch.train;

import dev.simmatch.UserInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Exclusive use of a run directory by one training process: an OS lock ({@code fcntl}) on {@code
 * RUN/.lock}. The kernel drops the lock when the process ends in any way, kill -9 included, so a
 * stale lock file never blocks a resume; the PID written into it only serves the error message.
 */
public final class RunLock implements AutoCloseable {
  static final String FILE = ".lock";
  private final FileChannel channel;
  private final FileLock lock;

  private RunLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * @throws UserInputException if another process (or another trainer in this JVM) holds the run
   *     directory
   */
  public static RunLock acquire(Path runDir) {
    Path file = runDir.resolve(FILE);
    FileChannel ch = null;
    try {
      Files.createDirectories(runDir);
      ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        String holder = holder(ch);
        ch.close();
        throw new UserInputException(
            "run directory " + runDir + " is in use by another training process" + holder
                + " (lock " + file + "); wait for it to finish or stop it, or choose another --run-dir");
      }
      ch.truncate(0);
      ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
      return new RunLock(ch, lock);
    } catch (IOException e) {
      closeQuietly(ch);
      throw new UncheckedIOException("cannot lock run directory " + runDir, e);
    }
  }

  private static String holder(FileChannel ch) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(32);
    ch.read(b, 0);
    String pid = new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).trim();
    return pid.matches("[0-9]{1,10}") ? " (pid " + pid + ")" : "";
  }

  private static void closeQuietly(FileChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException ignored) {
        // the lock, if any, goes with the channel
      }
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

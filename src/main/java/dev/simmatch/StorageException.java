package dev.simmatch;

/**
 * Output that could not be written: a full disk, a read-only or vanished directory. The CLI exits 1
 * and prints only the message, which names the file that failed and what is still intact.
 */
public class StorageException extends RuntimeException {
  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}

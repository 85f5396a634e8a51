package dev.simmatch.train;

import dev.simmatch.StorageException;
import dev.simmatch.UserInputException;
import dev.simmatch.io.Durable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TensorFlowException;

/**
 * Checkpoints of a run directory: {@code RUN/checkpoints/step-NNNNNNNN/ckpt.*} (TensorFlow V2
 * checkpoints of every variable in the graph), {@code RUN/checkpoints/best/} and a {@code latest}
 * file naming the newest step directory.
 *
 * <p>Each checkpoint is written into a temporary directory, fsynced and renamed into place, and
 * {@code latest} is replaced the same way (see {@link Durable}), so a crash or power loss while
 * saving never damages the previous checkpoint. Before a checkpoint is restored its files are
 * checked against TensorFlow's own checksums ({@link CheckpointIntegrity}); a damaged one is
 * reported with the newest intact checkpoint next to it.
 */
public final class Checkpoints {
  static final String PREFIX = "ckpt";
  private static final String LATEST = "latest";
  private static final String BEST = "best";
  private static final String OLD_BEST = ".old-best";
  private static final String STEP_PATTERN = "step-[0-9]{8,}";

  private Checkpoints() {}

  public static Path dir(Path runDir) {
    return runDir.resolve("checkpoints");
  }

  /** Saves the session's variables as the checkpoint of {@code step}, keeping every older one. */
  public static Path save(Session session, Path runDir, long step) {
    return save(session, runDir, step, Integer.MAX_VALUE);
  }

  /**
   * Saves the session's variables as the checkpoint of {@code step} and deletes all but the
   * {@code keep} newest step checkpoints.
   *
   * @throws StorageException if it cannot be written (disk full...); the previous checkpoint and
   *     {@code latest} are then untouched
   */
  public static Path save(Session session, Path runDir, long step, int keep) {
    Path root = dir(runDir);
    String name = String.format("step-%08d", step);
    Path target = root.resolve(name);
    Path tmp = null;
    try {
      Files.createDirectories(root);
      tmp = Files.createTempDirectory(root, ".tmp-" + name + "-");
      session.save(tmp.resolve(PREFIX).toString());
      deleteTree(target);
      Durable.publish(tmp, target);
      tmp = null;
      writePointer(root, name);
      prune(root, keep);
    } catch (IOException | TensorFlowException e) {
      deleteQuietly(tmp);
      tmp = null;
      Optional<Path> previous;
      try {
        previous = latest(runDir).filter(p -> !p.equals(target));
      } catch (UserInputException damaged) {
        previous = Optional.empty();
      }
      throw new StorageException(
          "cannot write checkpoint " + target + ": " + firstLine(e)
              + previous.map(p -> "; the previous checkpoint " + p + " is intact: free space, then continue with"
                  + " `train --resume`").orElse("; the run has no earlier checkpoint"),
          e);
    } finally {
      deleteQuietly(tmp);
    }
    return target;
  }

  /** Copies a saved step checkpoint to {@code checkpoints/best} (swapped in by renames). */
  public static void markBest(Path runDir, Path stepCheckpoint) {
    Path root = dir(runDir);
    Path tmp = null;
    try {
      tmp = Files.createTempDirectory(root, ".tmp-best-");
      try (DirectoryStream<Path> files = Files.newDirectoryStream(stepCheckpoint)) {
        for (Path f : files) {
          Files.copy(f, tmp.resolve(f.getFileName()));
        }
      }
      Durable.syncTree(tmp);
      Path best = root.resolve(BEST);
      Path trash = root.resolve(OLD_BEST);
      deleteTree(trash);
      // A crash between these two renames leaves only .old-best; recover() moves it back.
      if (Files.exists(best)) {
        move(best, trash);
      }
      move(tmp, best);
      tmp = null;
      Durable.syncDir(root);
      deleteTree(trash);
    } catch (IOException e) {
      throw new StorageException(
          "cannot write best checkpoint under " + root + ": " + firstLine(e) + "; " + stepCheckpoint + " is intact", e);
    } finally {
      deleteQuietly(tmp);
    }
  }

  /**
   * Cleans up after a process that died while saving: deletes temporary checkpoint directories and
   * pointer files, and puts back a best checkpoint that was being replaced. Call only while
   * holding the run's {@link RunLock}.
   */
  public static void recover(Path runDir) {
    Path root = dir(runDir);
    if (!Files.isDirectory(root)) {
      return;
    }
    try {
      try (DirectoryStream<Path> tmps = Files.newDirectoryStream(root, "{.tmp-*,.latest-*}")) {
        for (Path p : tmps) {
          deleteTree(p);
        }
      }
      Path best = root.resolve(BEST);
      Path trash = root.resolve(OLD_BEST);
      if (Files.exists(trash)) {
        if (Files.exists(best)) {
          deleteTree(trash);
        } else {
          move(trash, best);
        }
      }
      Durable.syncDir(root);
    } catch (IOException e) {
      throw new StorageException("cannot clean up " + root + ": " + firstLine(e), e);
    }
  }

  /**
   * The newest step checkpoint of a run, if any: the one {@code latest} names, or the newest step
   * directory if the run died before writing {@code latest}.
   *
   * @throws UserInputException if {@code latest} is damaged or names a missing directory
   */
  public static Optional<Path> latest(Path runDir) {
    Path root = dir(runDir);
    Path pointer = root.resolve(LATEST);
    if (!Files.isRegularFile(pointer)) {
      List<Path> steps = stepDirs(root);
      return steps.isEmpty() ? Optional.empty() : Optional.of(steps.get(steps.size() - 1));
    }
    String name;
    try {
      name = Files.readString(pointer).trim();
    } catch (IOException | UncheckedIOException e) {
      name = "(unreadable: " + firstLine(e) + ")";
    }
    Path p = root.resolve(name);
    if (!name.matches(STEP_PATTERN) || !Files.isDirectory(p)) {
      throw new UserInputException(
          pointer + " is damaged: it names '" + shorten(name) + "', not a checkpoint directory of " + root + ". "
              + intactAdvice(root, null));
    }
    return Optional.of(p);
  }

  /** The best checkpoint of a run, if any. */
  public static Optional<Path> best(Path runDir) {
    Path p = dir(runDir).resolve(BEST);
    return Files.isDirectory(p) ? Optional.of(p) : Optional.empty();
  }

  /** The step a step checkpoint directory was saved at. */
  public static long stepOf(Path checkpoint) {
    String n = checkpoint.getFileName().toString();
    if (!n.matches(STEP_PATTERN)) {
      throw new IllegalArgumentException("not a step checkpoint: " + checkpoint);
    }
    return Long.parseLong(n.substring(5));
  }

  /**
   * Checks a checkpoint directory's files against their checksums.
   *
   * @throws UserInputException naming the damaged file and the newest intact checkpoint beside it
   */
  public static void verify(Path checkpoint) {
    if (!Files.isDirectory(checkpoint)) {
      throw new UserInputException("checkpoint " + checkpoint + " is not a directory");
    }
    try {
      CheckpointIntegrity.verify(checkpoint.resolve(PREFIX));
    } catch (CheckpointIntegrity.CorruptCheckpointException e) {
      throw new UserInputException(
          "checkpoint " + checkpoint + " is damaged: " + e.getMessage() + ". "
              + intactAdvice(checkpoint.toAbsolutePath().getParent(), checkpoint),
          e);
    }
  }

  /**
   * Restores the variables of the session's graph from a checkpoint directory after {@link
   * #verify}. Variables absent from the graph are ignored; a graph variable absent from the
   * checkpoint is an error.
   */
  public static void restore(Session session, Path checkpoint) {
    verify(checkpoint);
    session.restore(checkpoint.resolve(PREFIX).toString());
  }

  /**
   * Prepares a run to continue from {@code from} (a verified step checkpoint): step checkpoints
   * of this run newer than it are renamed {@code discarded-step-N} (kept, never pruned) and, if it
   * belongs to this run, {@code latest} is pointed at it, so that neither pruning nor a later
   * {@code --resume} picks a newer, possibly damaged, checkpoint.
   */
  public static void resumeFrom(Path runDir, Path from, long step) {
    Path root = dir(runDir);
    try {
      for (Path p : stepDirs(root)) {
        if (stepOf(p) > step) {
          Path aside = root.resolve("discarded-" + p.getFileName());
          deleteTree(aside);
          move(p, aside);
        }
      }
      if (Files.isDirectory(root) && from.toAbsolutePath().normalize().getParent().equals(root.toAbsolutePath().normalize())) {
        writePointer(root, from.getFileName().toString());
      }
      if (Files.isDirectory(root)) {
        Durable.syncDir(root);
      }
    } catch (IOException e) {
      throw new StorageException("cannot set aside newer checkpoints under " + root + ": " + firstLine(e), e);
    }
  }

  /**
   * What to do when a checkpoint in dir cannot be used: the newest intact step (or best)
   * checkpoint of dir other than {@code damaged}, and the commands that use it.
   */
  static String intactAdvice(Path dir, Path damaged) {
    List<Path> candidates = new ArrayList<>(stepDirs(dir));
    Collections.reverse(candidates);
    Path best = dir.resolve(BEST);
    if (Files.isDirectory(best)) {
      candidates.add(best);
    }
    for (Path c : candidates) {
      if (damaged != null && c.toAbsolutePath().normalize().equals(damaged.toAbsolutePath().normalize())) {
        continue;
      }
      try {
        CheckpointIntegrity.verify(c.resolve(PREFIX));
      } catch (CheckpointIntegrity.CorruptCheckpointException e) {
        continue;
      }
      String step = c.getFileName().toString().matches(STEP_PATTERN) ? " (step " + stepOf(c) + ")" : "";
      return "The newest intact checkpoint is " + c + step + ": continue training from it with `train --resume-from "
          + c + "`, or evaluate or export it with `--checkpoint " + c + "`";
    }
    return "No intact checkpoint is left in " + dir + ": the run has to start again in a new run directory";
  }

  /** Step checkpoint directories of root, oldest first. */
  private static List<Path> stepDirs(Path root) {
    List<Path> steps = new ArrayList<>();
    if (!Files.isDirectory(root)) {
      return steps;
    }
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, "step-*")) {
      for (Path p : dirs) {
        if (p.getFileName().toString().matches(STEP_PATTERN) && Files.isDirectory(p)) {
          steps.add(p);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + root, e);
    }
    steps.sort(Comparator.comparing(p -> p.getFileName().toString()));
    return steps;
  }

  private static void writePointer(Path root, String name) throws IOException {
    Path pointer = Files.createTempFile(root, ".latest-", "");
    try {
      Files.writeString(pointer, name + "\n");
      Durable.publish(pointer, root.resolve(LATEST));
    } finally {
      Files.deleteIfExists(pointer);
    }
  }

  private static void prune(Path root, int keep) throws IOException {
    List<Path> steps = stepDirs(root);
    for (int i = 0; i < steps.size() - keep; i++) {
      deleteTree(steps.get(i));
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (var walk = Files.walk(p)) {
      for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }

  private static void deleteQuietly(Path p) {
    if (p == null) {
      return;
    }
    try {
      deleteTree(p);
    } catch (IOException | UncheckedIOException e) {
      // a leftover temporary directory is removed by recover() on the next start
    }
  }

  static String firstLine(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (e.getCause() != null && e.getCause().getMessage() != null && !m.contains(e.getCause().getMessage())) {
      m = m + ": " + e.getCause().getMessage();
    }
    return m.lines().findFirst().orElse(m);
  }

  private static String shorten(String s) {
    String printable = s.replaceAll("[^\\x20-\\x7e]", "?");
    return printable.length() > 60 ? printable.substring(0, 60) + "..." : printable;
  }
}

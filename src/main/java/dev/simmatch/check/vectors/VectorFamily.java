package dev.simmatch.check.vectors;

import dev.simmatch.io.VectorFile;

/**
 * One family of reference-vector files, recognised by the file's {@code algorithm} field: it
 * builds the graph code the trainer uses for that algorithm, feeds the file's inputs and compares
 * every output. A malformed file throws {@link dev.simmatch.UserInputException} naming the key.
 */
interface VectorFamily {
  /** The {@code algorithm} value of the files this family checks. */
  String algorithm();

  /** Runs one file, recording every compared tensor and problem in {@code cmp}. */
  void check(VectorFile file, Comparison cmp);
}

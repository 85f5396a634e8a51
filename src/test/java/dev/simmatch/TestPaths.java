package dev.simmatch;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the reference data the repository carries in {@code src/test/resources/reference}. */
public final class TestPaths {
  private TestPaths() {}

  /** The project root: {@code simmatch.basedir} (set by Surefire and Failsafe), else the working directory. */
  public static Path projectRoot() {
    String prop = System.getProperty("simmatch.basedir");
    return Path.of(prop != null ? prop : System.getProperty("user.dir")).toAbsolutePath();
  }

  /** {@code src/test/resources/reference} under the project root; fails loudly if it is missing. */
  public static Path reference() {
    Path ref = projectRoot().resolve("src/test/resources/reference");
    if (!Files.isDirectory(ref)) {
      throw new IllegalStateException("reference data folder " + ref + " is missing from the checkout");
    }
    return ref;
  }
}

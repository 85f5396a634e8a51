package dev.simmatch.io;

import dev.simmatch.UserInputException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The reference data the repository carries ({@code src/test/resources/reference/<name>}): the
 * default input of {@code check-vectors} and {@code check-parity}. Looked up under the working
 * directory first, then under the checkout that holds the running jar ({@code target/..}).
 */
public final class ReferenceData {
  public static final String IN_REPO = "src/test/resources/reference";

  private ReferenceData() {}

  /** The folder {@code <checkout>/src/test/resources/reference/<name>}; an error says where it looked. */
  public static Path folder(String name) {
    Path fromCwd = Path.of(IN_REPO, name);
    if (Files.isDirectory(fromCwd)) {
      return fromCwd;
    }
    Path root = checkoutOfJar();
    if (root != null && Files.isDirectory(root.resolve(IN_REPO).resolve(name))) {
      return root.resolve(IN_REPO).resolve(name);
    }
    throw new UserInputException(
        "no reference folder " + fromCwd.toAbsolutePath()
            + (root == null ? "" : " nor " + root.resolve(IN_REPO).resolve(name))
            + "; run from the simmatch-java checkout or pass the folder explicitly");
  }

  /** The directory above {@code target/} when running from the built jar or classes, else null. */
  private static Path checkoutOfJar() {
    try {
      var source = ReferenceData.class.getProtectionDomain().getCodeSource();
      if (source == null) {
        return null;
      }
      Path p = Path.of(source.getLocation().toURI()).toAbsolutePath();
      for (Path dir = p; dir != null; dir = dir.getParent()) {
        if (dir.getFileName() != null && dir.getFileName().toString().equals("target")) {
          return dir.getParent();
        }
      }
      return null;
    } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
      return null;
    }
  }
}

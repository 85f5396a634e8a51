package dev.simmatch.data;

import dev.simmatch.UserInputException;
import dev.simmatch.report.Progress;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

/**
 * Downloads one file over HTTP(S) with SHA-256 verification. The body goes to a temporary file
 * beside the target, which is renamed onto the target only when the byte count and the checksum
 * match; on any failure the temporary file is deleted, so the target folder never holds a partial
 * or unverified file.
 */
final class Downloader {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .followRedirects(HttpClient.Redirect.NORMAL)
          .connectTimeout(Duration.ofSeconds(30))
          .build();

  private Downloader() {}

  /**
   * @param expectedSize bytes the file must have, or -1 when unknown (then the Content-Length, if
   *     sent, must be met)
   * @param sha256 lower-case hex digest the file must have
   */
  static void download(URI url, Path target, long expectedSize, String sha256) {
    Path dir = target.toAbsolutePath().getParent();
    Path tmp = null;
    try {
      Files.createDirectories(dir);
      tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".part");
      HttpResponse<InputStream> response = send(url);
      long announced = response.headers().firstValueAsLong("Content-Length").orElse(-1);
      if (expectedSize >= 0 && announced >= 0 && announced != expectedSize) {
        response.body().close();
        throw new UserInputException(
            "download " + url + ": server announces " + announced + " bytes, expected " + expectedSize
                + " (wrong file at that address?)");
      }
      long total = expectedSize >= 0 ? expectedSize : announced;
      MessageDigest digest = sha256();
      long received = 0;
      try (InputStream in = response.body();
          OutputStream out = Files.newOutputStream(tmp);
          Progress bar = Progress.start(target.getFileName().toString(), 0, total, "MiB", 1 << 20)) {
        byte[] buf = new byte[1 << 16];
        int n;
        while ((n = in.read(buf)) >= 0) {
          out.write(buf, 0, n);
          digest.update(buf, 0, n);
          received += n;
          bar.stepTo(received);
        }
      } catch (IOException e) {
        throw new UserInputException(
            "download " + url + " broke off after " + received + (total >= 0 ? " of " + total : "") + " bytes: "
                + e.getMessage(), e);
      }
      if (total >= 0 && received != total) {
        throw new UserInputException(
            "download " + url + " is truncated: received " + received + " of " + total + " bytes");
      }
      String got = HexFormat.of().formatHex(digest.digest());
      if (!got.equalsIgnoreCase(sha256)) {
        throw new UserInputException(
            "download " + url + ": SHA-256 " + got + ", expected " + sha256 + " (corrupt transfer or a changed file)");
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UserInputException("cannot store " + target + " while downloading " + url + ": " + e.getMessage(), e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // best effort: the name starts with '.' and ends with .part, and is never read as data
        }
      }
    }
  }

  private static HttpResponse<InputStream> send(URI url) throws IOException {
    HttpRequest request = HttpRequest.newBuilder(url).GET().timeout(Duration.ofMinutes(2)).build();
    HttpResponse<InputStream> response;
    try {
      response = CLIENT.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UserInputException("download " + url + " interrupted", e);
    } catch (IOException e) {
      throw new UserInputException("download " + url + " failed: " + e, e);
    }
    if (response.statusCode() != 200) {
      response.body().close();
      throw new UserInputException("download " + url + ": HTTP status " + response.statusCode() + ", expected 200");
    }
    return response;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}

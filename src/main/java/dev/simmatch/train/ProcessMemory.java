package dev.simmatch.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resident memory of this process, from Linux's {@code /proc/self/status}: the JVM heap, the
 * TensorFlow allocator and native libraries together, which is what a machine runs out of.
 */
public final class ProcessMemory {
  private static final Path STATUS = Path.of("/proc/self/status");

  private ProcessMemory() {}

  /** Current resident set size in MiB (VmRSS), or NaN where /proc is not available. */
  public static double rssMiB() {
    return field("VmRSS:");
  }

  /** Peak resident set size in MiB (VmHWM), or NaN where /proc is not available. */
  public static double peakRssMiB() {
    return field("VmHWM:");
  }

  private static double field(String name) {
    try {
      for (String line : Files.readAllLines(STATUS)) {
        if (line.startsWith(name)) {
          // "VmRSS:	  123456 kB"
          String[] parts = line.substring(name.length()).trim().split("\\s+");
          return Long.parseLong(parts[0]) / 1024.0;
        }
      }
      return Double.NaN;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }
}

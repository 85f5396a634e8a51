package dev.simmatch.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;

/** The feature flags the Linux kernel reports for the CPU ({@code flags} in /proc/cpuinfo). */
public final class CpuFlags {
  private static final Path CPUINFO = Path.of("/proc/cpuinfo");

  private CpuFlags() {}

  /** This machine's flags; empty where /proc/cpuinfo is missing (then no bfloat16 is assumed). */
  public static Set<String> local() {
    try {
      return Files.isReadable(CPUINFO) ? parse(Files.readString(CPUINFO)) : Set.of();
    } catch (IOException e) {
      return Set.of();
    }
  }

  /** The flags of the first "flags : ..." line of a /proc/cpuinfo text. */
  public static Set<String> parse(String cpuinfo) {
    for (String line : cpuinfo.split("\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equals("flags")) {
        return new TreeSet<>(Arrays.asList(line.substring(colon + 1).trim().split("\\s+")));
      }
    }
    return Set.of();
  }
}

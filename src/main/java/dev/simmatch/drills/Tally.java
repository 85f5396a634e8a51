package dev.simmatch.drills;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Counts of one drill: trials, failures with their descriptions, and the worst case seen. Prints
 * the failures and one {@code RESULT} line that scripts/drills turns into a table row.
 */
final class Tally {
  private final String drill;
  private int trials;
  private final List<String> failures = new ArrayList<>();
  private double worstSeconds;
  private String worstSecondsCase = "";
  private long worstBytes;
  private String worstBytesCase = "";

  Tally(String drill) {
    this.drill = drill;
  }

  void pass(String what, double seconds, long bytes) {
    trials++;
    observe(what, seconds, bytes);
  }

  void fail(String what, String why, double seconds, long bytes) {
    trials++;
    failures.add(what + ": " + why);
    System.out.println("FAIL " + drill + ": " + what + ": " + why);
    observe(what, seconds, bytes);
  }

  private void observe(String what, double seconds, long bytes) {
    if (seconds > worstSeconds) {
      worstSeconds = seconds;
      worstSecondsCase = what;
    }
    if (bytes > worstBytes) {
      worstBytes = bytes;
      worstBytesCase = what;
    }
  }

  int failures() {
    return failures.size();
  }

  String worst() {
    return String.format(Locale.ROOT, "slowest %.2f s (%s); most heap allocated %.1f MB (%s)", worstSeconds,
        worstSecondsCase, worstBytes / 1e6, worstBytesCase);
  }

  /** Prints the summary line; returns the process exit code (1 if any trial failed). */
  int report(String worst) {
    System.out.println("RESULT\t" + drill + "\t" + trials + "\t" + failures.size() + "\t" + worst);
    return failures.isEmpty() ? 0 : 1;
  }
}

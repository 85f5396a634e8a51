import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.math3.stat.StatUtils;
import org.apache.commons.math3.stat.inference.TTest;

/**
 * Welch's t-test (two-sided, unequal variances; Commons Math) of the best top-1 EMA between the
 * algorithms of the same label count, from the per-run rows of accuracy markdown files written by
 * {@code scripts/simmatch report --table} (columns: run, algorithm, labels, seed, steps,
 * evaluations, best top-1 EMA, ...). For tables whose run directories are no longer at hand.
 * Usage: scripts/compare-seeds TABLE.md...
 */
public class CompareSeeds {
  public static void main(String[] args) throws Exception {
    Map<String, Map<String, List<Double>>> byLabels = new TreeMap<>();
    for (String file : args) {
      for (String line : Files.readAllLines(Path.of(file))) {
        String[] c = line.split("\\|");
        if (c.length > 8 && c[1].trim().matches("[a-z][a-z0-9]*-[a-z0-9-]+-\\d+-s\\d+")) {
          byLabels.computeIfAbsent(c[3].trim(), k -> new TreeMap<>())
              .computeIfAbsent(c[2].trim(), k -> new ArrayList<>()).add(Double.parseDouble(c[7].trim()));
        }
      }
    }
    TTest test = new TTest();
    System.out.println("| labels | A | B | seeds A | seeds B | mean A - B | Welch t | p (two-sided) |");
    System.out.println("| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: |");
    byLabels.forEach((labels, byAlgorithm) -> {
      List<String> names = new ArrayList<>(byAlgorithm.keySet());
      for (int i = 0; i < names.size(); i++) {
        for (int j = i + 1; j < names.size(); j++) {
          double[] a = byAlgorithm.get(names.get(i)).stream().mapToDouble(Double::doubleValue).toArray();
          double[] b = byAlgorithm.get(names.get(j)).stream().mapToDouble(Double::doubleValue).toArray();
          if (a.length < 2 || b.length < 2) {
            continue;
          }
          System.out.printf(Locale.ROOT, "| %s | %s | %s | %d | %d | %+.2f | %.2f | %.3f |%n", labels, names.get(i),
              names.get(j), a.length, b.length, StatUtils.mean(a) - StatUtils.mean(b), test.t(a, b), test.tTest(a, b));
        }
      }
    });
  }
}

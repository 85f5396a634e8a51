package dev.simmatch.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.simmatch.UserInputException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.CategoryChart;

/**
 * The file written by {@code scripts/bench}: {@code {"host": {...}, "settings": {...}, "runs":
 * [...]}} where every run is a JSON line of {@code simmatch bench --json} (framework "java", kind
 * "train_step" or "pipeline") or of {@code bench_step.py} (framework "pytorch"), or a failed run
 * with an "error" field. Pairs Java and PyTorch step timings of the same model, algorithm, B, mu and
 * precision (float32 where a run does not say: files written before train.precision existed).
 */
public final class BenchReport {
  /**
   * Java and PyTorch timings of one setting; either may be null (not run) or hold "error".
   */
  public record StepRow(
      String model, String algorithm, int batch, int mu, String precision, JsonNode java, JsonNode pytorch) {
    /** Java images/s over PyTorch images/s; NaN unless both ran. */
    public double ratio() {
      return ips(java) / ips(pytorch);
    }
  }

  private final JsonNode host;
  private final JsonNode settings;
  private final List<StepRow> steps;
  private final List<JsonNode> pipelines;

  private BenchReport(JsonNode host, JsonNode settings, List<StepRow> steps, List<JsonNode> pipelines) {
    this.host = host;
    this.settings = settings;
    this.steps = steps;
    this.pipelines = pipelines;
  }

  /** @throws UserInputException if the file is not such a JSON document */
  public static BenchReport read(Path file) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new UserInputException(file + ": cannot read as JSON (" + e.getMessage() + ")", e);
    }
    if (root == null || !root.path("runs").isArray()) {
      throw new UserInputException(file + ": expected an object with a 'runs' array (written by scripts/bench)");
    }
    Map<String, StepRow> rows = new LinkedHashMap<>();
    List<JsonNode> pipelines = new ArrayList<>();
    int i = 0;
    for (JsonNode run : root.get("runs")) {
      String where = file + ": runs[" + i++ + "]";
      String framework = text(run, "framework", where);
      if ("pipeline".equals(run.path("kind").asText("train_step"))) {
        pipelines.add(run);
        continue;
      }
      String model = text(run, "model", where);
      String algorithm = text(run, "algorithm", where);
      int batch = number(run, "batch", where);
      int mu = number(run, "mu", where);
      String precision = run.path("precision").asText("float32");
      String key = model + "/" + algorithm + "/" + batch + "/" + mu + "/" + precision;
      StepRow old = rows.getOrDefault(key, new StepRow(model, algorithm, batch, mu, precision, null, null));
      rows.put(key, switch (framework) {
        case "java" -> new StepRow(model, algorithm, batch, mu, precision, run, old.pytorch());
        case "pytorch" -> new StepRow(model, algorithm, batch, mu, precision, old.java(), run);
        default -> throw new UserInputException(where + ": framework '" + framework + "', expected java or pytorch");
      });
    }
    return new BenchReport(root.path("host"), root.path("settings"), List.copyOf(rows.values()), pipelines);
  }

  public List<StepRow> steps() {
    return steps;
  }

  /** Training steps: Java and PyTorch side by side with their ratio. */
  public TextTable stepTable() {
    TextTable t = new TextTable(2, "model", "algorithm", "precision", "B", "mu", "img/step", "Java img/s",
        "PyTorch img/s",
        "Java/PyTorch", "Java ms/step", "PyTorch ms/step", "Java RSS MB", "PyTorch RSS MB", "Java outside run");
    for (StepRow r : steps) {
      JsonNode any = r.java() != null && r.java().has("images_per_step") ? r.java() : r.pytorch();
      t.add(r.model(), r.algorithm(), r.precision(), Integer.toString(r.batch()), Integer.toString(r.mu()),
          any != null && any.has("images_per_step") ? any.get("images_per_step").asText() : "",
          figure(r.java(), "images_per_second", "%.1f"), figure(r.pytorch(), "images_per_second", "%.1f"),
          Double.isFinite(r.ratio()) ? String.format(Locale.ROOT, "%.2fx", r.ratio()) : "n/a",
          figure(r.java(), "step_ms", "%.0f"), figure(r.pytorch(), "step_ms", "%.0f"),
          figure(r.java(), "peak_rss_mb", "%.0f"), figure(r.pytorch(), "peak_rss_mb", "%.0f"),
          r.java() != null && r.java().has("outside_session_share")
              ? String.format(Locale.ROOT, "%.2f%%", 100 * r.java().get("outside_session_share").asDouble())
              : "n/a");
    }
    return t;
  }

  /** True when some row ran in bfloat16 (scripts/bench --precision float32,bfloat16). */
  public boolean hasBfloat16() {
    return steps.stream().anyMatch(r -> "bfloat16".equals(r.precision()));
  }

  /**
   * The four combinations of one model and algorithm side by side: Java and PyTorch in float32 and
   * bfloat16 (Java train.precision=bfloat16, PyTorch torch.autocast), each framework's bfloat16
   * speed-up and Java over PyTorch in bfloat16.
   */
  public TextTable precisionTable() {
    TextTable t = new TextTable(2, "model", "algorithm", "B", "Java f32", "Java bf16", "PyTorch f32",
        "PyTorch bf16", "Java bf16/f32", "PyTorch bf16/f32", "Java/PyTorch bf16");
    Map<String, StepRow[]> pairs = new LinkedHashMap<>();
    for (StepRow r : steps) {
      StepRow[] p = pairs.computeIfAbsent(r.model() + "/" + r.algorithm() + "/" + r.batch() + "/" + r.mu(),
          k -> new StepRow[2]);
      p["bfloat16".equals(r.precision()) ? 1 : 0] = r;
    }
    for (StepRow[] p : pairs.values()) {
      StepRow any = p[0] != null ? p[0] : p[1];
      double jf = p[0] == null ? Double.NaN : ips(p[0].java());
      double pf = p[0] == null ? Double.NaN : ips(p[0].pytorch());
      double jb = p[1] == null ? Double.NaN : ips(p[1].java());
      double pb = p[1] == null ? Double.NaN : ips(p[1].pytorch());
      t.add(any.model(), any.algorithm(), Integer.toString(any.batch()), rate(jf), rate(jb), rate(pf), rate(pb),
          times(jb / jf), times(pb / pf), times(jb / pb));
    }
    return t;
  }

  private static String rate(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.1f", v) : "n/a";
  }

  private static String times(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.2fx", v) : "n/a";
  }

  /**
   * Input pipeline throughput, and how many Java SimMatch steps of the same image shape, B and mu it
   * could feed per step taken ("headroom" above 1: the pipeline is not the bottleneck).
   */
  public TextTable pipelineTable() {
    TextTable t = new TextTable(1, "images", "B", "mu", "workers", "views/s 1 thread", "views/s pool",
        "weak+strong pairs/s", "SSL batches/s", "Java SimMatch steps/s", "headroom");
    for (JsonNode p : pipelines) {
      String shape = p.path("size").asInt() + "x" + p.path("size").asInt() + "x" + p.path("channels").asInt();
      if (p.has("error")) {
        t.add(shape, p.path("batch").asText(), p.path("mu").asText(), "", "failed", "failed", "", "", "", "");
        continue;
      }
      double stepsPerSecond = javaSimMatchStepsPerSecond(p);
      double batches = p.path("ssl_steps_per_second").asDouble();
      t.add(shape, p.path("batch").asText(), p.path("mu").asText(), p.path("workers").asText(),
          figure(p, "single_thread_views_per_second", "%.0f"), figure(p, "views_per_second", "%.0f"),
          figure(p, "unlabeled_pairs_per_second", "%.0f"), figure(p, "ssl_steps_per_second", "%.2f"),
          Double.isFinite(stepsPerSecond) ? String.format(Locale.ROOT, "%.2f", stepsPerSecond) : "n/a",
          Double.isFinite(stepsPerSecond) ? String.format(Locale.ROOT, "%.1fx", batches / stepsPerSecond) : "n/a");
    }
    return t;
  }

  private double javaSimMatchStepsPerSecond(JsonNode p) {
    for (StepRow r : steps) {
      JsonNode j = r.java();
      if (j != null && "simmatch".equals(r.algorithm()) && !j.has("error") && r.batch() == p.path("batch").asInt()
          && r.mu() == p.path("mu").asInt() && j.path("size").asInt() == p.path("size").asInt()
          && j.path("channels").asInt() == p.path("channels").asInt()) {
        return j.path("images_per_second").asDouble() / j.path("images_per_step").asDouble();
      }
    }
    return Double.NaN;
  }

  /** The host and settings lines scripts/bench recorded ("key: value, ..."), each if present. */
  public List<String> headerLines() {
    List<String> lines = new ArrayList<>();
    for (JsonNode node : List.of(host, settings)) {
      if (node.isObject() && node.size() > 0) {
        List<String> parts = new ArrayList<>();
        node.fields().forEachRemaining(e -> parts.add(e.getKey() + ": "
            + (e.getValue().isContainerNode() ? e.getValue().toString() : e.getValue().asText())));
        lines.add(String.join(", ", parts));
      }
    }
    return lines;
  }

  /** Both tables as terminal text. */
  public String text() {
    StringBuilder sb = new StringBuilder();
    headerLines().forEach(l -> sb.append(l).append(System.lineSeparator()));
    if (!headerLines().isEmpty()) {
      sb.append(System.lineSeparator());
    }
    sb.append("training step (images per step: B supervised, B + 2*mu*B semi-supervised)")
        .append(System.lineSeparator()).append(stepTable().text());
    if (hasBfloat16()) {
      sb.append(System.lineSeparator()).append("float32 and bfloat16, images/s").append(System.lineSeparator())
          .append(precisionTable().text());
    }
    if (!pipelines.isEmpty()) {
      sb.append(System.lineSeparator()).append("input pipeline (random images, weak + strong views)")
          .append(System.lineSeparator()).append(pipelineTable().text());
    }
    return sb.toString();
  }

  /** Both tables as markdown. */
  public String markdown() {
    StringBuilder sb = new StringBuilder("# Training step: Java (TensorFlow Java) vs PyTorch\n\n");
    headerLines().forEach(l -> sb.append(l).append("\n\n"));
    sb.append("Images per step: B for supervised, B + 2*mu*B for FixMatch and SimMatch, B + 4*mu*B for ReMixMatch"
            + " (weak, two strong, rotated; random data).\n\n")
        .append(stepTable().markdown());
    if (hasBfloat16()) {
      sb.append("\n## float32 and bfloat16 (images/s)\n\n").append(precisionTable().markdown());
    }
    if (!pipelines.isEmpty()) {
      sb.append("\n## Input pipeline (random images, weak + strong views)\n\n").append(pipelineTable().markdown());
    }
    return sb.toString();
  }

  /** One bar chart per model: images/s of each algorithm in Java and PyTorch. */
  public void writeChart(Path png) {
    Map<String, List<StepRow>> byModel = new LinkedHashMap<>();
    steps.forEach(r -> byModel.computeIfAbsent(r.model() + ", B=" + r.batch() + ", mu=" + r.mu()
        + ("float32".equals(r.precision()) ? "" : ", " + r.precision()), k -> new ArrayList<>()).add(r));
    if (byModel.isEmpty()) {
      throw new UserInputException("no training-step runs to chart");
    }
    List<CategoryChart> charts = new ArrayList<>();
    byModel.forEach((title, rows) -> {
      CategoryChart c = Charts.bars(title, "algorithm (Java/PyTorch)", "images per second");
      List<String> categories = rows.stream().map(r -> r.algorithm()
          + (Double.isFinite(r.ratio()) ? String.format(Locale.ROOT, " (%.2fx)", r.ratio()) : "")).toList();
      c.addSeries("Java (TensorFlow Java)", categories, rows.stream().map(r -> orZero(ips(r.java()))).toList());
      if (rows.stream().anyMatch(r -> Double.isFinite(ips(r.pytorch())))) {
        c.addSeries("PyTorch", categories, rows.stream().map(r -> orZero(ips(r.pytorch()))).toList());
      }
      charts.add(c);
    });
    Charts.writePng(png, charts, 1, charts.size());
  }

  private static double orZero(double v) {
    return Double.isFinite(v) ? v : 0;
  }

  private static double ips(JsonNode run) {
    return run == null || run.has("error") || !run.has("images_per_second") ? Double.NaN
        : run.get("images_per_second").asDouble();
  }

  private static String figure(JsonNode run, String key, String format) {
    if (run == null) {
      return "n/a";
    }
    if (run.has("error")) {
      return "failed";
    }
    return run.has(key) ? String.format(Locale.ROOT, format, run.get(key).asDouble()) : "n/a";
  }

  private static String text(JsonNode run, String key, String where) {
    if (!run.path(key).isTextual()) {
      throw new UserInputException(where + ": '" + key + "' missing or not a string");
    }
    return run.get(key).asText();
  }

  private static int number(JsonNode run, String key, String where) {
    if (!run.path(key).canConvertToInt()) {
      throw new UserInputException(where + ": '" + key + "' missing or not an integer");
    }
    return run.get(key).asInt();
  }
}

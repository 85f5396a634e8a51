package dev.simmatch.drills;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.simmatch.cli.Main;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import picocli.CommandLine;

/**
 * Drill 6: mutations of the committed configs, each run through {@code train --check} in this JVM
 * (the CLI's own exit-code mapping). Every mutation is invalid by construction; each must exit 2
 * with a one-line message naming the key it broke (or the YAML line), within the time limit,
 * without a stack trace or an OutOfMemoryError.
 *
 * <p>{@code ConfigFuzz CONFIGS_DIR WORK_DIR TRIALS SEED}: also writes the first mutations with
 * what their message must contain to {@code WORK_DIR/sample.tsv}, for scripts/drills to replay in
 * separate processes.
 */
final class ConfigFuzz {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final double LIMIT_SECONDS = 60;
  private static final int SAMPLE = 40;

  /** A mutated config file and a fragment its error message must contain. */
  private record Mutation(String kind, Path file, String text, String expect) {}

  /** Values that break a key whatever the rest of the config says. */
  private static final Map<String, List<String>> OUT_OF_RANGE = new LinkedHashMap<>();

  static {
    put("algorithm.name", "simmatchx", "''");
    put("algorithm.tau", "1.5", "-0.1", ".nan");
    put("algorithm.lambda_u", "-1", ".inf");
    put("algorithm.lambda_in", "-1");
    put("algorithm.t_teacher", "0", "-0.1");
    put("algorithm.t_student", "0", ".inf");
    put("algorithm.alpha", "1.5", "-1");
    put("algorithm.teacher", "emma");
    put("algorithm.bank_update", "replace");
    put("algorithm.bank_momentum", "1.7");
    put("algorithm.warmup_steps", "-1");
    put("algorithm.da", "queu");
    put("algorithm.da_len", "0", "-3", "10000000");
    put("algorithm.da_eps", "-1.0e-6");
    put("algorithm.da_momentum", "1.0");
    put("algorithm.da_target", "uniformx");
    put("algorithm.teacher_checkpoint", "first", "step-");
    put("algorithm.teacher_weights", "shadow");
    put("algorithm.distill_temperature", "0", "-1", ".inf");
    put("algorithm.distill_alpha", "1.5", "-0.1");
    put("data.dataset", "fashion", "''");
    put("data.labels", "0", "-40");
    put("data.crop_pad", "0.6", "-0.1");
    put("data.strong", "weak");
    put("data.randaugment", "rand");
    put("data.ra_ops", "-1", "100");
    put("data.ra_magnitude", "1", "11");
    put("data.cutout", "big");
    put("data.mean", "[0.1, 0.2, 0.3, 0.4, 0.5]", "[.nan]", "[]");
    put("data.std", "[0]", "[-1]", "[.inf]");
    put("data.workers", "0", "100000");
    put("data.prefetch", "0", "-1");
    put("data.image_size", "0", "-5", "100000");
    put("data.extra_unlabeled_limit", "-1");
    put("model.arch", "wrn27_2", "cnn-big", "''");
    put("model.proj_dim", "0", "10000000");
    put("model.bn_momentum", "1.0", "-0.5");
    put("train.steps", "0", "-5", "99999999999");
    put("train.batch_size", "0", "-32", "100000", "2147483648");
    put("train.mu", "0", "5000");
    put("train.lr", "0", "-0.03", ".inf", ".nan");
    put("train.momentum", "1.0", "-0.1");
    put("train.weight_decay", "-5.0e-4");
    put("train.schedule", "cosin");
    put("train.cosine_cycles", "-1");
    put("train.warmup_steps", "-1");
    put("train.ema", "1.0", "1.5", "-0.1");
    put("train.eval_every", "0");
    put("train.eval_batch_size", "0", "10000000");
    put("train.checkpoint_every", "0", "-1");
    put("train.keep_checkpoints", "0");
    put("train.threads", "0", "100000");
    put("train.collective_timeout", "0", "-1", ".inf", ".nan", "100000");
    put("train.runs_dir", "''");
    put("train.seed", "1e400", "123456789012345678901234567890");
  }

  private static void put(String key, String... values) {
    OUT_OF_RANGE.put(key, List.of(values));
  }

  /** Only valid for a dataset the machine has: the split needs the class count and the set size. */
  private static final List<String> DATA_DEPENDENT = List.of("7", "70000", "39");

  /** Lines that make any YAML mapping document unparsable, wherever a line may start. */
  private static final List<String> BROKEN_LINES = List.of(
      "bad: [1, 2\n", "\tsteps: 5\n", "key: 'unterminated\n", "- item\n", "*undefined_alias\n", "a: b: c\n",
      "{unclosed: 1\n", "key: \"bad \\q escape\"\n", "? [complex\n", "]\n");

  public static void main(String[] args) throws IOException {
    Path configs = Path.of(args[0]);
    Path work = Path.of(args[1]);
    int trials = Integer.parseInt(args[2]);
    Random rng = new Random(Long.parseLong(args[3]));
    Path copy = work.resolve("configs");
    copyTree(configs, copy);
    List<Path> files;
    try (Stream<Path> s = Files.walk(copy)) {
      // configs/pipelines/ holds pipeline definitions (stages), read by `pipeline`, not by `train`
      files = s.filter(p -> p.toString().endsWith(".yaml") && !copy.relativize(p).startsWith("pipelines"))
          .sorted().toList();
    }
    List<String> leaves = new ArrayList<>();
    try (InputStream in = ConfigFuzz.class.getResourceAsStream("/defaults.yaml")) {
      leaves(YAML.readTree(in), "", leaves);
    }
    Tally tally = new Tally("fuzzed configs");
    StringBuilder sample = new StringBuilder();
    Path run = work.resolve("run");
    for (int i = 0; i < trials; i++) {
      Path base = files.get(rng.nextInt(files.size()));
      Mutation m = mutate(i, base, leaves, rng);
      Files.writeString(m.file(), m.text());
      if (i < SAMPLE) {
        sample.append(m.file()).append('\t').append(m.expect()).append('\t').append(m.kind()).append('\n');
      }
      Trial<String[]> t = Trial.run(() -> check(m.file(), run), LIMIT_SECONDS);
      String what = "#" + i + " " + m.kind() + " of " + copy.relativize(base);
      String why = verdict(t, m);
      if (why == null) {
        tally.pass(what, t.seconds(), t.allocatedBytes());
      } else {
        tally.fail(what, why + " [" + m.file() + "]", t.seconds(), t.allocatedBytes());
      }
      if (i >= SAMPLE) {
        Files.deleteIfExists(m.file());
      }
    }
    Files.writeString(work.resolve("sample.tsv"), sample.toString());
    System.exit(tally.report(tally.worst()));
  }

  /** Runs {@code train --check}; returns {exit code, stderr}. */
  private static String[] check(Path config, Path run) {
    CommandLine cl = Main.commandLine();
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err));
    cl.setOut(new PrintWriter(new StringWriter()));
    // no download attempts: a mutation that gets as far as the data is reported by what it says
    int code = cl.execute("train", "--check", "--config", config.toString(), "--run-dir", run.toString(), "--set",
        "data.download=false");
    return new String[] {Integer.toString(code), err.toString()};
  }

  private static String verdict(Trial<String[]> t, Mutation m) {
    if (t.timedOut()) {
      return "no answer within " + LIMIT_SECONDS + " s";
    }
    if (t.error() != null) {
      return "escaped the CLI: " + t.error();
    }
    String code = t.value()[0];
    String err = t.value()[1].strip();
    if (!code.equals("2")) {
      return "exit " + code + " (expected 2): " + firstLine(err);
    }
    if (err.contains("\tat ") || err.contains("Exception in") || !err.startsWith("error: ")) {
      return "not a plain error message: " + firstLine(err);
    }
    if (!err.contains(m.expect()) && !err.matches("(?s).*\\bline [0-9]+.*")) {
      return "message names neither '" + m.expect() + "' nor a line: " + firstLine(err);
    }
    return null;
  }

  private static String firstLine(String s) {
    return s.lines().findFirst().orElse("(nothing on stderr)");
  }

  /** Keys whose value is a list. */
  private static final Set<String> LIST_KEYS =
      Set.of("data.mean", "data.std", "train.lars_exclude", "train.lars_plain_decay");

  private static Mutation mutate(int i, Path base, List<String> leaves, Random rng) throws IOException {
    String text = Files.readString(base);
    Path out = base.resolveSibling("mut-" + i + ".yaml");
    boolean fashion = text.contains("fashion-mnist");
    int kind = rng.nextInt(fashion ? 9 : 8);
    switch (kind) {
      case 0 -> {
        String section = List.of("", "algorithm.", "data.", "model.", "train.").get(rng.nextInt(5));
        String key = section + "unknown_key_" + rng.nextInt(1000);
        return new Mutation("unknown key", out, set(text, key, "1"), key.substring(key.lastIndexOf('.') + 1));
      }
      case 1 -> {
        String key = leaves.get(rng.nextInt(leaves.size()));
        // A list value is no wrong type for list keys ([1, 2] is two valid regexes for the LARS lists).
        boolean list = LIST_KEYS.contains(key);
        String bad = list ? "{a: 1}" : List.of("[1, 2]", "{a: 1}").get(rng.nextInt(2));
        return new Mutation("wrong type", out, set(text, key, bad), key);
      }
      case 2, 3, 4 -> {
        List<String> keys = new ArrayList<>(OUT_OF_RANGE.keySet());
        String key = keys.get(rng.nextInt(keys.size()));
        List<String> values = OUT_OF_RANGE.get(key);
        String value = values.get(rng.nextInt(values.size()));
        return new Mutation("out of range " + key + "=" + value, out, set(text, key, value),
            key.substring(key.indexOf('.') + 1));
      }
      case 5 -> {
        String[] lines = text.split("\n", -1);
        int at = rng.nextInt(lines.length);
        String bad = BROKEN_LINES.get(rng.nextInt(BROKEN_LINES.size()));
        StringBuilder sb = new StringBuilder();
        for (int l = 0; l < lines.length; l++) {
          if (l == at) {
            sb.append(bad);
          }
          sb.append(lines[l]).append(l < lines.length - 1 ? "\n" : "");
        }
        return new Mutation("broken YAML line " + (at + 1) + " " + bad.strip(), out, sb.toString(), "line");
      }
      case 6 -> {
        String section = List.of("algorithm", "data", "model", "train").get(rng.nextInt(4));
        String bad = List.of("5", "[1, 2]", "'text'").get(rng.nextInt(3));
        return new Mutation("section " + section + " replaced", out, set(text, section, bad), section);
      }
      case 7 -> {
        int which = rng.nextInt(5);
        return switch (which) {
          case 0 -> new Mutation("duplicate key", out, "train:\n  steps: 10\n  steps: 20\n" + text, "steps");
          case 1 -> new Mutation("extends a missing file", out, "extends: ../missing-" + i + ".yaml\n" + withoutExtends(text),
              "missing-" + i);
          case 2 -> new Mutation("extends itself", out, "extends: mut-" + i + ".yaml\n" + withoutExtends(text), "circular");
          case 3 -> new Mutation("deep nesting", out, "train: " + "[".repeat(5000) + "1" + "]".repeat(5000) + "\n", "YAML");
          default -> new Mutation("alias bomb", out, aliasBomb(), "a0");
        };
      }
      default -> {
        String value = DATA_DEPENDENT.get(rng.nextInt(DATA_DEPENDENT.size()));
        return new Mutation("data-dependent data.labels=" + value, out, set(text, "data.labels", value), "labels");
      }
    }
  }

  private static String aliasBomb() {
    StringBuilder sb = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i < 12; i++) {
      sb.append("a").append(i).append(": &a").append(i).append(" [");
      for (int j = 0; j < 10; j++) {
        sb.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
      }
      sb.append("]\n");
    }
    return sb.toString();
  }

  private static String withoutExtends(String text) {
    return text.replaceAll("(?m)^extends:.*$", "");
  }

  /** The config text with key (dotted) set to a YAML value, re-serialised. */
  private static String set(String text, String key, String yamlValue) throws IOException {
    JsonNode root = YAML.readTree(text);
    ObjectNode node = root instanceof ObjectNode o ? o : YAML.createObjectNode();
    String[] path = key.split("\\.");
    ObjectNode at = node;
    for (int i = 0; i < path.length - 1; i++) {
      JsonNode child = at.get(path[i]);
      at = child instanceof ObjectNode c ? c : at.putObject(path[i]);
    }
    // The raw value is spliced into the text: Jackson cannot represent some of them (.inf, 1e400).
    at.put(path[path.length - 1], "PLACEHOLDER_VALUE");
    String out = YAML.writeValueAsString(node);
    return out.replaceFirst("\"?PLACEHOLDER_VALUE\"?", java.util.regex.Matcher.quoteReplacement(yamlValue));
  }

  private static void leaves(JsonNode node, String prefix, List<String> out) {
    Iterator<Map.Entry<String, JsonNode>> it = node.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getValue().isObject()) {
        leaves(e.getValue(), prefix + e.getKey() + ".", out);
      } else {
        out.add(prefix + e.getKey());
      }
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path q = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(q);
        } else {
          Files.copy(p, q, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }
}

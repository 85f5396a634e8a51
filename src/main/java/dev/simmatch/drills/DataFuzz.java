package dev.simmatch.drills;

import dev.simmatch.UserInputException;
import dev.simmatch.config.ConfigLoader;
import dev.simmatch.data.Dataset;
import dev.simmatch.data.DatasetBundle;
import dev.simmatch.data.Datasets;
import dev.simmatch.data.LabeledSplit;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import javax.imageio.ImageIO;

/**
 * Drill 7: byte flips, truncations and appended bytes in dataset files of every format the
 * readers take (IDX gzipped and raw, CIFAR-10/100 and STL-10 binaries, PNG and JPEG in a folder
 * dataset, a split file), each loaded through the public reading path in this JVM.
 *
 * <p>A trial passes if the load either succeeds (a flipped pixel is still an image) or fails
 * with a UserInputException naming the damaged file, within {@value #MAX_SECONDS} s of CPU time (a
 * 2-core machine shared by four people makes wall time meaningless), allocating at
 * most twice what the intact dataset needs plus 64 MB (a size taken from a header before being
 * checked against the file shows up here). A truncated file must always be refused. CIFAR and
 * STL-10 files are sparse files of zeros with the real sizes (zero is a valid label there; STL-10
 * labels are written for real), so no download is needed.
 *
 * <p>{@code DataFuzz WORK_DIR TRIALS SEED FASHION_MNIST_DIR}
 */
final class DataFuzz {
  private static final double MAX_SECONDS = 10;
  private static final long SLACK = 64L << 20;

  /** A dataset format: its files under a base directory and how to load a directory of them. */
  private record Format(String name, Path base, List<String> files, boolean sparse, Loader loader) {}

  private interface Loader {
    Object load(Path dir) throws Exception;
  }

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]);
    int trials = Integer.parseInt(args[1]);
    Random rng = new Random(Long.parseLong(args[2]));
    Path fashion = Path.of(args[3]);
    List<Format> formats = makeBases(work.resolve("base"), fashion);
    Tally tally = new Tally("fuzzed data files");
    long[] baseline = new long[formats.size()];
    for (int f = 0; f < formats.size(); f++) {
      Format fmt = formats.get(f);
      Trial<Object> t = Trial.run(() -> fmt.loader().load(fmt.base()), 120);
      if (t.error() != null || t.timedOut()) {
        throw new IllegalStateException("intact " + fmt.name() + " does not load", t.error());
      }
      baseline[f] = t.allocatedBytes();
      System.out.printf(Locale.ROOT, "intact %s: %.2f s, %.1f MB allocated%n", fmt.name(), t.seconds(), t.allocatedBytes() / 1e6);
    }
    Path trialDir = work.resolve("trial");
    for (int i = 0; i < trials; i++) {
      int f = i % formats.size();
      Format fmt = formats.get(f);
      deleteTree(trialDir);
      linkTree(fmt.base(), trialDir);
      String file = fmt.files().get(rng.nextInt(fmt.files().size()));
      Path target = trialDir.resolve(file);
      String how = mutate(fmt, fmt.base().resolve(file), target, rng);
      String what = "#" + i + " " + fmt.name() + " " + file + " " + how;
      Trial<Object> t = Trial.run(() -> fmt.loader().load(trialDir), 120);
      long bound = 2 * baseline[f] + SLACK;
      String why = verdict(t, target, how.startsWith("truncated"), bound);
      if (why == null) {
        tally.pass(what, t.cpuSeconds(), t.allocatedBytes());
      } else {
        tally.fail(what, why, t.cpuSeconds(), t.allocatedBytes());
        Path keep = work.resolve("failed-" + i);
        deleteTree(keep);
        Files.createDirectories(keep);
        Files.copy(target, keep.resolve(target.getFileName()));
      }
    }
    deleteTree(trialDir);
    System.exit(tally.report("by CPU time: " + tally.worst()));
  }

  private static String verdict(Trial<Object> t, Path target, boolean mustFail, long bound) {
    if (t.timedOut()) {
      return "no answer within 120 s";
    }
    if (t.cpuSeconds() > MAX_SECONDS) {
      return String.format(Locale.ROOT, "took %.1f s of CPU time (%.1f s wall)", t.cpuSeconds(), t.seconds());
    }
    if (t.allocatedBytes() > bound) {
      return String.format(Locale.ROOT, "allocated %.1f MB, bound %.1f MB", t.allocatedBytes() / 1e6, bound / 1e6);
    }
    if (t.error() == null) {
      return mustFail ? "a truncated file was accepted" : null;
    }
    if (!(t.error() instanceof UserInputException)) {
      return "not a clear error: " + t.error();
    }
    String m = t.error().getMessage();
    if (!m.contains(target.getFileName().toString())) {
      return "message does not name " + target.getFileName() + ": " + m;
    }
    return null;
  }

  /** Writes the damaged copy of source to target; returns what was done. */
  private static String mutate(Format fmt, Path source, Path target, Random rng) throws IOException {
    long len = Files.size(source);
    Files.deleteIfExists(target);
    boolean sparse = fmt.sparse() && len > (1 << 20);
    int kind = rng.nextInt(3);
    if (kind == 0 || len == 0) {
      long newLen = rng.nextBoolean() ? rng.nextInt((int) Math.min(len, 64) + 1) : (long) (rng.nextDouble() * len);
      newLen = Math.min(newLen, len - 1);
      copyPrefix(source, target, Math.max(newLen, 0), sparse);
      return "truncated to " + Math.max(newLen, 0) + " of " + len + " bytes";
    }
    copyPrefix(source, target, len, sparse);
    try (RandomAccessFile f = new RandomAccessFile(target.toFile(), "rw")) {
      if (kind == 1) {
        int flips = 1 + rng.nextInt(3);
        StringBuilder at = new StringBuilder();
        for (int k = 0; k < flips; k++) {
          long pos = rng.nextBoolean() ? rng.nextInt((int) Math.min(len, 64)) : (long) (rng.nextDouble() * len);
          f.seek(pos);
          int b = f.read();
          f.seek(pos);
          f.write(b ^ (1 + rng.nextInt(255)));
          at.append(k == 0 ? "" : ",").append(pos);
        }
        return "flipped at " + at;
      }
      int extra = 1 + rng.nextInt(100);
      byte[] junk = new byte[extra];
      rng.nextBytes(junk);
      f.seek(len);
      f.write(junk);
      return "with " + extra + " bytes appended";
    }
  }

  /** The first n bytes of source as target; sparse sources (all zeros past their labels) stay sparse. */
  private static void copyPrefix(Path source, Path target, long n, boolean sparse) throws IOException {
    if (!sparse) {
      try (InputStream in = Files.newInputStream(source)) {
        Files.write(target, in.readNBytes((int) n));
      }
      return;
    }
    try (RandomAccessFile f = new RandomAccessFile(target.toFile(), "rw")) {
      f.setLength(n);
    }
  }

  private static List<Format> makeBases(Path base, Path fashion) throws IOException {
    List<Format> out = new ArrayList<>();
    String[] stems = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
        "t10k-labels-idx1-ubyte"};
    Path gz = Files.createDirectories(base.resolve("fashion-gz"));
    Path raw = Files.createDirectories(base.resolve("fashion-raw"));
    List<String> gzNames = new ArrayList<>();
    for (String s : stems) {
      Path src = fashion.resolve(s + ".gz");
      if (!Files.exists(gz.resolve(s + ".gz"))) {
        Files.copy(src, gz.resolve(s + ".gz"));
      }
      if (!Files.exists(raw.resolve(s))) {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(src))) {
          Files.write(raw.resolve(s), in.readAllBytes());
        }
      }
      gzNames.add(s + ".gz");
    }
    out.add(new Format("fashion-mnist .gz", gz, gzNames, false, dir -> load("fashion-mnist", dir)));
    out.add(new Format("fashion-mnist raw", raw, List.of(stems), false, dir -> load("fashion-mnist", dir)));

    Path c10 = Files.createDirectories(base.resolve("cifar10"));
    List<String> c10Names = List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
        "data_batch_5.bin", "test_batch.bin");
    for (String n : c10Names) {
      sparse(c10.resolve(n), 10000L * 3073);
    }
    out.add(new Format("cifar10", c10, c10Names, true, dir -> load("cifar10", dir)));
    Path c100 = Files.createDirectories(base.resolve("cifar100"));
    sparse(c100.resolve("train.bin"), 50000L * 3074);
    sparse(c100.resolve("test.bin"), 10000L * 3074);
    out.add(new Format("cifar100", c100, List.of("train.bin", "test.bin"), true, dir -> load("cifar100", dir)));

    Path stl = Files.createDirectories(base.resolve("stl10"));
    int image = 96 * 96 * 3;
    sparse(stl.resolve("train_X.bin"), 5000L * image);
    sparse(stl.resolve("test_X.bin"), 8000L * image);
    sparse(stl.resolve("unlabeled_X.bin"), 100000L * image);
    labels(stl.resolve("train_y.bin"), 5000);
    labels(stl.resolve("test_y.bin"), 8000);
    out.add(new Format("stl10", stl, List.of("train_X.bin", "train_y.bin", "test_X.bin", "test_y.bin", "unlabeled_X.bin"),
        true, dir -> load("stl10", dir, "data.extra_unlabeled_limit=10")));

    Path folder = base.resolve("folder");
    List<String> images = writeFolder(folder);
    out.add(new Format("folder PNG/JPEG", folder, images, false, dir -> load("folder", dir)));

    Path splitDir = Files.createDirectories(base.resolve("split"));
    Dataset train = load("folder", folder).train();
    LabeledSplit.forConfig(ConfigLoader.load(null, folderSets(folder, "data.labels=4")).data(), train)
        .write(splitDir.resolve("split.json"));
    out.add(new Format("split file", splitDir, List.of("split.json"), false,
        dir -> LabeledSplit.read(dir.resolve("split.json"), train)));
    return out;
  }

  private static List<String> folderSets(Path dir, String... more) {
    List<String> sets = new ArrayList<>(List.of("data.dataset=folder", "data.dir=" + dir, "data.download=false"));
    sets.addAll(List.of(more));
    return sets;
  }

  private static DatasetBundle load(String dataset, Path dir, String... more) {
    List<String> sets = new ArrayList<>(List.of("data.dataset=" + dataset, "data.dir=" + dir, "data.download=false"));
    sets.addAll(List.of(more));
    return Datasets.load(ConfigLoader.load(null, sets).data());
  }

  private static void sparse(Path file, long size) throws IOException {
    if (Files.exists(file) && Files.size(file) == size) {
      return;
    }
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(size);
    }
  }

  private static void labels(Path file, int n) throws IOException {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (1 + i % 10);
    }
    Files.write(file, b);
  }

  /** train/ and test/ with 2 classes of 16x16 colour PNG and JPEG images. */
  private static List<String> writeFolder(Path root) throws IOException {
    List<String> names = new ArrayList<>();
    Random r = new Random(3);
    for (String part : List.of("train", "test")) {
      for (String cls : List.of("a", "b")) {
        Path dir = Files.createDirectories(root.resolve(part).resolve(cls));
        for (int i = 0; i < 4; i++) {
          BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_3BYTE_BGR);
          for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
              img.setRGB(x, y, r.nextInt(1 << 24));
            }
          }
          String ext = i % 2 == 0 ? "png" : "jpg";
          String name = part + "/" + cls + "/" + i + "." + ext;
          ImageIO.write(img, ext, root.resolve(name).toFile());
          names.add(name);
        }
      }
    }
    return names;
  }

  /** A tree of symbolic links to the files of from (directories are real). */
  private static void linkTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path q = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(q);
        } else {
          Files.createSymbolicLink(q, p.toAbsolutePath());
        }
      }
    }
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }
}

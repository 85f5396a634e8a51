package dev.simmatch.check.vectors;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Writes vector files in the reference format from an independent float64 implementation of the
 * semantics in the shared algorithm notes (loops, closed-form gradients), for shapes and settings
 * the shipped vectors do not cover.
 */
final class ReferenceVectors {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ReferenceVectors() {}

  /** SimMatch settings of one generated file. */
  record SimMatchSpec(
      int c,
      int d,
      int k,
      int bx,
      int bu,
      boolean start,
      double tau,
      double lambdaU,
      double lambdaIn,
      double tTeacher,
      double tStudent,
      double alpha,
      String da,
      int daLen,
      int daPtr,
      double daEps,
      String bankUpdate,
      double bankMomentum,
      long seed) {}

  static void writeSimMatch(Path file, SimMatchSpec s) throws IOException {
    Random rnd = new Random(s.seed());
    double[][] lx = gaussian(rnd, s.bx(), s.c(), 2);
    int[] y = ints(rnd, s.bx(), s.c());
    int[] index = ints(rnd, s.bx(), s.k());
    index[s.bx() - 1] = index[0]; // a repeated bank row: the last occurrence must win
    double[][] ls = gaussian(rnd, s.bu(), s.c(), 2);
    double[][] fs = unitRows(gaussian(rnd, s.bu(), s.d(), 1));
    double[][] tl = gaussian(rnd, s.bu(), s.c(), 2);
    double[][] tfe = unitRows(gaussian(rnd, s.bu(), s.d(), 1));
    double[][] bfx = unitRows(gaussian(rnd, s.bx(), s.d(), 1));
    double[][] bank = unitRows(gaussian(rnd, s.k(), s.d(), 1));
    int[] bankLabels = ints(rnd, s.k(), s.c());
    double[][] queue = new double[s.daLen()][];
    for (int l = 0; l < s.daLen(); l++) {
      queue[l] = l % 3 == 2 ? new double[s.c()] : softmax(gaussian(rnd, 1, s.c(), 1)[0], 1);
    }

    int bu = s.bu();
    double[][] p = new double[bu][];
    for (int b = 0; b < bu; b++) {
      p[b] = softmax(tl[b], 1);
    }
    double[][] queueAfter = copy(queue);
    int ptrAfter = s.daPtr();
    double[][] pDa = copy(p);
    if (s.da().equals("queue")) {
      queueAfter[s.daPtr()] = colMean(p);
      ptrAfter = (s.daPtr() + 1) % s.daLen();
      double[] model = colMean(queueAfter);
      for (int b = 0; b < bu; b++) {
        for (int c = 0; c < s.c(); c++) {
          pDa[b][c] = p[b][c] * (1.0 / s.c() + s.daEps()) / (model[c] + s.daEps());
        }
        pDa[b] = normalise(pDa[b]);
      }
    }
    double[][] qHat = new double[bu][];
    double[][] pHat = new double[bu][];
    double[] mask = new double[bu];
    double[] inPerSample = new double[bu];
    double[][] gLs = new double[bu][s.c()];
    double[][] gFs = new double[bu][s.d()];
    double lossU = 0;
    double lossIn = 0;
    for (int b = 0; b < bu; b++) {
      double[] qw = softmax(dots(tfe[b], bank), s.tTeacher());
      qHat[b] = new double[s.k()];
      double[] agg = new double[s.c()];
      for (int k = 0; k < s.k(); k++) {
        qHat[b][k] = qw[k] * pDa[b][bankLabels[k]];
        agg[bankLabels[k]] += qw[k];
      }
      qHat[b] = normalise(qHat[b]);
      pHat[b] = new double[s.c()];
      for (int c = 0; c < s.c(); c++) {
        pHat[b][c] = s.start() ? s.alpha() * pDa[b][c] + (1 - s.alpha()) * agg[c] : pDa[b][c];
      }
      mask[b] = max(pHat[b]) >= s.tau() ? 1 : 0;
      requireClearOfThreshold(max(pHat[b]), s.tau());
      double[] sm = softmax(ls[b], 1);
      for (int c = 0; c < s.c(); c++) {
        lossU -= mask[b] * pHat[b][c] * Math.log(sm[c]) / bu;
        gLs[b][c] = s.lambdaU() * mask[b] * (sm[c] - pHat[b][c]) / bu;
      }
      if (s.start()) {
        double[] qs = softmax(dots(fs[b], bank), s.tStudent());
        for (int k = 0; k < s.k(); k++) {
          inPerSample[b] -= qHat[b][k] * Math.log(qs[k]);
          for (int j = 0; j < s.d(); j++) {
            gFs[b][j] += s.lambdaIn() * (qs[k] - qHat[b][k]) * bank[k][j] / s.tStudent() / bu;
          }
        }
        lossIn += inPerSample[b] / bu;
      }
    }
    double lossX = 0;
    double[][] gLx = new double[s.bx()][];
    for (int b = 0; b < s.bx(); b++) {
      double[] sm = softmax(lx[b], 1);
      lossX -= Math.log(sm[y[b]]) / s.bx();
      gLx[b] = new double[s.c()];
      for (int c = 0; c < s.c(); c++) {
        gLx[b][c] = (sm[c] - (c == y[b] ? 1 : 0)) / s.bx();
      }
    }
    double[][] bankAfter = copy(bank);
    int[] labelsAfter = bankLabels.clone();
    for (int b = 0; b < s.bx(); b++) {
      double[] row = bfx[b].clone();
      if (s.bankUpdate().equals("momentum")) {
        for (int j = 0; j < s.d(); j++) {
          row[j] = s.bankMomentum() * bank[index[b]][j] + (1 - s.bankMomentum()) * bfx[b][j];
        }
        row = unitRows(new double[][] {row})[0];
      }
      bankAfter[index[b]] = row;
      labelsAfter[index[b]] = y[b];
    }

    Map<String, Object> config = new LinkedHashMap<>();
    config.put("tau", s.tau());
    config.put("lambda_u", s.lambdaU());
    config.put("lambda_in", s.lambdaIn());
    config.put("t_teacher", s.tTeacher());
    config.put("t_student", s.tStudent());
    config.put("alpha", s.alpha());
    config.put("da", s.da());
    config.put("da_len", s.daLen());
    config.put("da_eps", s.daEps());
    config.put("bank_update", s.bankUpdate());
    config.put("bank_momentum", s.bankUpdate().equals("momentum") ? s.bankMomentum() : null);
    config.put("teacher", "online");
    Map<String, Object> inputs = new LinkedHashMap<>();
    inputs.put("logits_x", lx);
    inputs.put("labels_x", y);
    inputs.put("index_x", index);
    inputs.put("logits_u_s", ls);
    inputs.put("feats_u_s", fs);
    inputs.put("teacher_logits_u_w", tl);
    inputs.put("teacher_feats_u_w", tfe);
    inputs.put("bank_feats_x", bfx);
    inputs.put("bank", bank);
    inputs.put("bank_labels", bankLabels);
    inputs.put("da_queue", queue);
    inputs.put("da_ptr", s.daPtr());
    Map<String, Object> outputs = new LinkedHashMap<>();
    outputs.put("p_da", pDa);
    outputs.put("q_hat", qHat);
    outputs.put("p_hat", pHat);
    outputs.put("mask", mask);
    outputs.put("loss_in_per_sample", inPerSample);
    outputs.put("loss_x", lossX);
    outputs.put("loss_u", lossU);
    outputs.put("loss_in", lossIn);
    outputs.put("loss", lossX + s.lambdaU() * lossU + s.lambdaIn() * lossIn);
    outputs.put("grad_logits_x", gLx);
    outputs.put("grad_logits_u_s", gLs);
    outputs.put("grad_feats_u_s", gFs);
    outputs.put("bank_after", bankAfter);
    outputs.put("bank_labels_after", labelsAfter);
    if (s.da().equals("queue")) {
      outputs.put("da_queue_after", queueAfter);
      outputs.put("da_ptr_after", ptrAfter);
    }
    Map<String, Object> dims = new LinkedHashMap<>();
    dims.put("classes", s.c());
    dims.put("embedding", s.d());
    dims.put("bank_size", s.k());
    dims.put("batch_labeled", s.bx());
    dims.put("batch_unlabeled", s.bu());
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("algorithm", "simmatch");
    root.put("seed", s.seed());
    root.put("start_unlabel", s.start());
    root.put("dims", dims);
    root.put("config", config);
    root.put("inputs", inputs);
    root.put("outputs", outputs);
    JSON.writeValue(file.toFile(), root);
  }

  /** FixMatch with hard labels. */
  static void writeFixMatch(Path file, int c, int bx, int bu, double tau, double lambdaU, long seed)
      throws IOException {
    Random rnd = new Random(seed);
    double[][] lx = gaussian(rnd, bx, c, 2);
    int[] y = ints(rnd, bx, c);
    double[][] lw = gaussian(rnd, bu, c, 3);
    double[][] ls = gaussian(rnd, bu, c, 2);
    int[] pseudo = new int[bu];
    double[] mask = new double[bu];
    double lossX = 0;
    double lossU = 0;
    double[][] gLx = new double[bx][c];
    double[][] gLs = new double[bu][c];
    for (int b = 0; b < bx; b++) {
      double[] sm = softmax(lx[b], 1);
      lossX -= Math.log(sm[y[b]]) / bx;
      for (int k = 0; k < c; k++) {
        gLx[b][k] = (sm[k] - (k == y[b] ? 1 : 0)) / bx;
      }
    }
    for (int b = 0; b < bu; b++) {
      double[] p = softmax(lw[b], 1);
      for (int k = 1; k < c; k++) {
        pseudo[b] = p[k] > p[pseudo[b]] ? k : pseudo[b];
      }
      mask[b] = p[pseudo[b]] >= tau ? 1 : 0;
      requireClearOfThreshold(p[pseudo[b]], tau);
      double[] sm = softmax(ls[b], 1);
      lossU -= mask[b] * Math.log(sm[pseudo[b]]) / bu;
      for (int k = 0; k < c; k++) {
        gLs[b][k] = lambdaU * mask[b] * (sm[k] - (k == pseudo[b] ? 1 : 0)) / bu;
      }
    }
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("algorithm", "fixmatch");
    root.put("seed", seed);
    root.put("dims", Map.of("classes", c, "batch_labeled", bx, "batch_unlabeled", bu));
    root.put("config", Map.of("tau", tau, "lambda_u", lambdaU, "hard_label", true));
    root.put("inputs", Map.of("logits_x", lx, "labels_x", y, "logits_u_w", lw, "logits_u_s", ls));
    Map<String, Object> outputs = new LinkedHashMap<>();
    outputs.put("pseudo_labels", pseudo);
    outputs.put("mask", mask);
    outputs.put("loss_x", lossX);
    outputs.put("loss_u", lossU);
    outputs.put("loss", lossX + lambdaU * lossU);
    outputs.put("grad_logits_x", gLx);
    outputs.put("grad_logits_u_s", gLs);
    root.put("outputs", outputs);
    JSON.writeValue(file.toFile(), root);
  }

  /** EMA alignment over several steps, starting from a given p_model (or none when null). */
  static void writeDaEma(
      Path file,
      int c,
      int bu,
      int steps,
      double momentum,
      double eps,
      boolean withInitial,
      long seed)
      throws IOException {
    Random rnd = new Random(seed);
    double[] target = softmax(gaussian(rnd, 1, c, 1)[0], 1);
    double[] initial = withInitial ? softmax(gaussian(rnd, 1, c, 1)[0], 1) : null;
    double[][][] probs = new double[steps][bu][];
    double[][][] aligned = new double[steps][bu][];
    double[][] models = new double[steps][];
    double[] model = initial == null ? null : initial.clone();
    for (int t = 0; t < steps; t++) {
      for (int b = 0; b < bu; b++) {
        probs[t][b] = softmax(gaussian(rnd, 1, c, 2)[0], 1);
      }
      double[] mean = colMean(probs[t]);
      if (model == null) {
        model = mean;
      } else {
        for (int k = 0; k < c; k++) {
          model[k] = momentum * model[k] + (1 - momentum) * mean[k];
        }
      }
      models[t] = model.clone();
      for (int b = 0; b < bu; b++) {
        double[] a = new double[c];
        for (int k = 0; k < c; k++) {
          a[k] = probs[t][b][k] * (target[k] + eps) / (model[k] + eps);
        }
        aligned[t][b] = normalise(a);
      }
    }
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("algorithm", "distribution_alignment_ema");
    root.put("seed", seed);
    root.put("dims", Map.of("classes", c, "batch_unlabeled", bu, "steps", steps));
    root.put("config", Map.of("momentum", momentum, "eps", eps, "p_target", target));
    Map<String, Object> inputs = new LinkedHashMap<>();
    inputs.put("probs_per_step", probs);
    inputs.put("p_model_initial", initial);
    root.put("inputs", inputs);
    root.put("outputs", Map.of("aligned_per_step", aligned, "p_model_per_step", models));
    JSON.writeValue(file.toFile(), root);
  }

  /** ReMixMatch settings of one generated file (USB semantics, see the shared ReMixMatch notes). */
  record ReMixMatchSpec(
      int c,
      int bx,
      int bu,
      int d,
      double t,
      double lambdaU,
      double lambdaKl,
      double lambdaRot,
      double warmUp,
      long numTrainIter,
      long it,
      boolean withPModel,
      double momentum,
      double eps,
      long seed) {}

  static void writeReMixMatch(Path file, ReMixMatchSpec s) throws IOException {
    Random rnd = new Random(s.seed());
    int n = s.bx() + 3 * s.bu();
    int[] y = ints(rnd, s.bx(), s.c());
    int[] counts = new int[s.c()];
    for (int k = 0; k < s.c(); k++) {
      counts[k] = 1 + rnd.nextInt(5);
    }
    double[] pModel = s.withPModel() ? softmax(gaussian(rnd, 1, s.c(), 1)[0], 1) : null;
    double[][] lw = gaussian(rnd, s.bu(), s.c(), 2);
    double[][] xlb = gaussian(rnd, s.bx(), s.d(), 1);
    double[][] xs0 = gaussian(rnd, s.bu(), s.d(), 1);
    double[][] xs1 = gaussian(rnd, s.bu(), s.d(), 1);
    double[][] xw = gaussian(rnd, s.bu(), s.d(), 1);
    double sample = rnd.nextDouble();
    int[] perm = new int[n];
    for (int i = 0; i < n; i++) {
      perm[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int tmp = perm[i];
      perm[i] = perm[j];
      perm[j] = tmp;
    }
    double[][] lm = gaussian(rnd, n, s.c(), 2);
    double[][] ls0 = gaussian(rnd, s.bu(), s.c(), 2);
    double[][] lr = gaussian(rnd, s.bu(), 4, 2);
    int[] rot = ints(rnd, s.bu(), 4);

    int total = 0;
    for (int k : counts) {
      total += k;
    }
    double[] target = new double[s.c()];
    for (int k = 0; k < s.c(); k++) {
      target[k] = (double) counts[k] / total;
    }
    double[][] probs = new double[s.bu()][];
    for (int b = 0; b < s.bu(); b++) {
      probs[b] = softmax(lw[b], 1);
    }
    double[] mean = colMean(probs);
    double[] model = new double[s.c()];
    for (int k = 0; k < s.c(); k++) {
      model[k] = pModel == null ? mean[k] : s.momentum() * pModel[k] + (1 - s.momentum()) * mean[k];
    }
    double[][] aligned = new double[s.bu()][s.c()];
    double[][] guess = new double[s.bu()][s.c()];
    for (int b = 0; b < s.bu(); b++) {
      for (int k = 0; k < s.c(); k++) {
        aligned[b][k] = probs[b][k] * (target[k] + s.eps()) / (model[k] + s.eps());
      }
      aligned[b] = normalise(aligned[b]);
      for (int k = 0; k < s.c(); k++) {
        guess[b][k] = Math.pow(aligned[b][k], 1 / s.t());
      }
      guess[b] = normalise(guess[b]);
    }
    double lam = Math.max(sample, 1 - sample);
    double[][] targets = new double[n][];
    double[][] rowsIn = new double[n][];
    for (int i = 0; i < n; i++) {
      if (i < s.bx()) {
        targets[i] = new double[s.c()];
        targets[i][y[i]] = 1;
        rowsIn[i] = xlb[i];
      } else {
        int g = (i - s.bx()) / s.bu();
        int r = (i - s.bx()) % s.bu();
        targets[i] = guess[r];
        rowsIn[i] = (g == 0 ? xs0 : g == 1 ? xs1 : xw)[r];
      }
    }
    double[][] mixedT = new double[n][s.c()];
    double[][] mixedX = new double[n][s.d()];
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < s.c(); k++) {
        mixedT[i][k] = lam * targets[i][k] + (1 - lam) * targets[perm[i]][k];
      }
      for (int k = 0; k < s.d(); k++) {
        mixedX[i][k] = lam * rowsIn[i][k] + (1 - lam) * rowsIn[perm[i]][k];
      }
    }
    double w = Math.min(Math.max(s.it() / (s.warmUp() * s.numTrainIter()), 0), 1);
    double lossX = 0;
    double lossU = 0;
    double[][] gm = new double[n][s.c()];
    for (int i = 0; i < n; i++) {
      double[] sm = softmax(lm[i], 1);
      double ce = 0;
      for (int k = 0; k < s.c(); k++) {
        ce -= mixedT[i][k] * Math.log(sm[k]);
      }
      boolean labeled = i < s.bx();
      double scale = labeled ? 1.0 / s.bx() : s.lambdaU() * w / (3 * s.bu());
      for (int k = 0; k < s.c(); k++) {
        gm[i][k] = scale * (sm[k] - mixedT[i][k]);
      }
      if (labeled) {
        lossX += ce / s.bx();
      } else {
        lossU += ce / (3 * s.bu());
      }
    }
    double lossU1 = 0;
    double[][] gs0 = new double[s.bu()][s.c()];
    double lossRot = 0;
    double[][] gr = new double[s.bu()][4];
    for (int b = 0; b < s.bu(); b++) {
      double[] sm = softmax(ls0[b], 1);
      for (int k = 0; k < s.c(); k++) {
        lossU1 -= guess[b][k] * Math.log(sm[k]) / s.bu();
        gs0[b][k] = s.lambdaKl() * w * (sm[k] - guess[b][k]) / s.bu();
      }
      double[] sr = softmax(lr[b], 1);
      lossRot -= Math.log(sr[rot[b]]) / s.bu();
      for (int k = 0; k < 4; k++) {
        gr[b][k] = s.lambdaRot() * (sr[k] - (k == rot[b] ? 1 : 0)) / s.bu();
      }
    }
    double loss = lossX + s.lambdaKl() * w * lossU1 + s.lambdaU() * w * lossU + s.lambdaRot() * lossRot;

    Map<String, Object> config = new LinkedHashMap<>();
    config.put("T", s.t());
    config.put("lambda_u", s.lambdaU());
    config.put("lambda_kl", s.lambdaKl());
    config.put("lambda_rot", s.lambdaRot());
    config.put("unsup_warm_up", s.warmUp());
    config.put("num_train_iter", s.numTrainIter());
    config.put("mixup_alpha", 0.75);
    config.put("mixup_is_bias", true);
    config.put("mixup_manifold", false);
    config.put("da", "ema");
    config.put("da_momentum", s.momentum());
    config.put("da_eps", s.eps());
    config.put("p_target", "labeled_class_distribution");
    Map<String, Object> inputs = new LinkedHashMap<>();
    inputs.put("it", s.it());
    inputs.put("labels_x", y);
    inputs.put("labeled_class_counts", counts);
    inputs.put("p_model", pModel);
    inputs.put("logits_u_w", lw);
    inputs.put("x_lb", xlb);
    inputs.put("x_ulb_s_0", xs0);
    inputs.put("x_ulb_s_1", xs1);
    inputs.put("x_ulb_w", xw);
    inputs.put("mixup_beta_sample", sample);
    inputs.put("mixup_perm", perm);
    inputs.put("logits_mixed", lm);
    inputs.put("logits_u_s0", ls0);
    inputs.put("logits_rot", lr);
    inputs.put("rot_labels", rot);
    Map<String, Object> outputs = new LinkedHashMap<>();
    outputs.put("p_target", target);
    outputs.put("probs_u_w", probs);
    outputs.put("p_model_after", model);
    outputs.put("probs_aligned", aligned);
    outputs.put("guess", guess);
    outputs.put("mixup_lambda", lam);
    outputs.put("input_targets", targets);
    outputs.put("mixed_targets", mixedT);
    outputs.put("mixed_inputs", mixedX);
    outputs.put("unsup_warmup", w);
    outputs.put("loss_x", lossX);
    outputs.put("loss_u", lossU);
    outputs.put("loss_u1", lossU1);
    outputs.put("loss_rot", lossRot);
    outputs.put("loss", loss);
    outputs.put("grad_logits_mixed", gm);
    outputs.put("grad_logits_u_s0", gs0);
    outputs.put("grad_logits_rot", gr);
    Map<String, Object> dims = new LinkedHashMap<>();
    dims.put("classes", s.c());
    dims.put("batch_labeled", s.bx());
    dims.put("batch_unlabeled", s.bu());
    dims.put("input_dim", s.d());
    dims.put("mixed_rows", n);
    dims.put("rotations", 4);
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("algorithm", "remixmatch");
    root.put("variant", "usb");
    root.put("seed", s.seed());
    root.put("dims", dims);
    root.put("config", config);
    root.put("inputs", inputs);
    root.put("outputs", outputs);
    JSON.writeValue(file.toFile(), root);
  }

  /** float32 may round a value this close to tau to the other side; pick another seed then. */
  private static void requireClearOfThreshold(double confidence, double tau) {
    if (Math.abs(confidence - tau) < 1e-4) {
      throw new IllegalStateException(
          "generated confidence " + confidence + " too close to tau " + tau);
    }
  }

  private static double[][] gaussian(Random rnd, int rows, int cols, double scale) {
    double[][] m = new double[rows][cols];
    for (double[] row : m) {
      for (int j = 0; j < cols; j++) {
        row[j] = scale * rnd.nextGaussian();
      }
    }
    return m;
  }

  private static int[] ints(Random rnd, int n, int bound) {
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = rnd.nextInt(bound);
    }
    return out;
  }

  private static double[][] unitRows(double[][] m) {
    double[][] out = new double[m.length][];
    for (int i = 0; i < m.length; i++) {
      double n = 0;
      for (double v : m[i]) {
        n += v * v;
      }
      out[i] = m[i].clone();
      for (int j = 0; j < out[i].length; j++) {
        out[i][j] /= Math.sqrt(n);
      }
    }
    return out;
  }

  private static double[] softmax(double[] z, double t) {
    double m = max(z);
    double[] e = new double[z.length];
    for (int i = 0; i < z.length; i++) {
      e[i] = Math.exp((z[i] - m) / t);
    }
    return normalise(e);
  }

  private static double[] normalise(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i] / s;
    }
    return out;
  }

  private static double max(double[] v) {
    double m = Double.NEGATIVE_INFINITY;
    for (double x : v) {
      m = Math.max(m, x);
    }
    return m;
  }

  private static double[] dots(double[] z, double[][] rows) {
    double[] out = new double[rows.length];
    for (int k = 0; k < rows.length; k++) {
      for (int j = 0; j < z.length; j++) {
        out[k] += z[j] * rows[k][j];
      }
    }
    return out;
  }

  private static double[] colMean(double[][] m) {
    double[] out = new double[m[0].length];
    for (double[] row : m) {
      for (int j = 0; j < out.length; j++) {
        out[j] += row[j] / m.length;
      }
    }
    return out;
  }

  private static double[][] copy(double[][] m) {
    double[][] out = new double[m.length][];
    for (int i = 0; i < m.length; i++) {
      out[i] = m[i].clone();
    }
    return out;
  }
}

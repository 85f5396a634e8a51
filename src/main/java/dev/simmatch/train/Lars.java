package dev.simmatch.train;

import dev.simmatch.UserInputException;
import dev.simmatch.model.Params;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.train.ApplyMomentum;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * LARS as SimCLR uses it (google-research/simclr {@code lars_optimizer.py}, classic momentum, no
 * Nesterov), over an explicit list of variables. Per variable w with gradient g and slot v:
 *
 * <pre>
 *   excluded (name matches a pattern):  v = m v + lr g                          (no decay, no trust ratio)
 *   excluded and plain-decayed:         v = m v + lr (g + wd w)                 (no trust ratio)
 *   otherwise:                          g' = g + wd w
 *                                       trust = eeta ||w|| / ||g'||   (1 if either norm is 0)
 *                                       v = m v + lr trust g'
 *   then                                w = w - v
 * </pre>
 *
 * The plain-decayed case is the official supervised head ({@code head_supervised}): LARS skips it,
 * but its kernel (not its bias) carries wd * sum(w^2) / 2 in the loss ({@code model_util.py:35-44},
 * {@code tf2/model.py:47-60}), which adds wd w to its gradient.
 *
 * <p>Norms are Frobenius norms of the whole variable. The update is TF's {@code ApplyMomentum} with
 * learning rate 1 and gradient {@code lr * trust * g'}: its accumulator is then exactly v. A
 * variable without a gradient gets no op. Slots are {@code opt/<variable op name>/momentum}, as
 * with {@link SgdNesterov}, so checkpoints of either optimizer have the same layout.
 */
public final class Lars {
  private Lars() {}

  /**
   * What one application adds, per variable with a gradient (in the order of the variables).
   *
   * @param updates one update op per variable with a gradient
   * @param trustRatios scalar trust ratio (constant 1 for excluded variables)
   * @param gradsWithDecay g + wd w, or g for excluded variables
   */
  public record Step(List<Op> updates, List<Operand<TFloat32>> trustRatios, List<Operand<TFloat32>> gradsWithDecay) {}

  /** True if a regex of {@code patterns} is found in {@code name} (the official re.search rule). */
  public static boolean excluded(String name, List<Pattern> patterns) {
    for (Pattern p : patterns) {
      if (p.matcher(name).find()) {
        return true;
      }
    }
    return false;
  }

  /** Compiles exclusion patterns; a bad one is reported under {@code key}. */
  public static List<Pattern> patterns(String key, List<String> regexes) {
    List<Pattern> out = new ArrayList<>();
    for (String r : regexes == null ? List.<String>of() : regexes) {
      try {
        out.add(Pattern.compile(r));
      } catch (PatternSyntaxException e) {
        throw new UserInputException(key + ": '" + r + "' is not a valid regular expression: " + e.getDescription());
      }
    }
    return out;
  }

  /** As {@link #apply(Ops, List, List, Operand, double, double, double, List, List)} with no plain-decayed variable. */
  public static Step apply(
      Ops tf,
      List<Params.Entry> vars,
      List<Operand<TFloat32>> grads,
      Operand<TFloat32> lr,
      double momentum,
      double weightDecay,
      double eeta,
      List<Pattern> exclude) {
    return apply(tf, vars, grads, lr, momentum, weightDecay, eeta, exclude, List.of());
  }

  /**
   * @param tf scope of the update ops; give it control dependencies on everything that must read
   *     the old values first
   * @param vars variables to train; {@link Params.Entry#name} decides the exclusion
   * @param grads one gradient per variable, null where there is none
   * @param lr scalar learning rate of this step
   * @param plainDecay patterns of excluded variables that still get wd w in their gradient
   */
  public static Step apply(
      Ops tf,
      List<Params.Entry> vars,
      List<Operand<TFloat32>> grads,
      Operand<TFloat32> lr,
      double momentum,
      double weightDecay,
      double eeta,
      List<Pattern> exclude,
      List<Pattern> plainDecay) {
    if (vars.size() != grads.size()) {
      throw new IllegalArgumentException(vars.size() + " variables but " + grads.size() + " gradients");
    }
    Ops plain = tf.withControlDependencies(List.of());
    Operand<TFloat32> m = tf.constant((float) momentum);
    Operand<TFloat32> wd = tf.constant((float) weightDecay);
    Operand<TFloat32> one = tf.constant(1f);
    Operand<TFloat32> zero = tf.constant(0f);
    List<Op> updates = new ArrayList<>();
    List<Operand<TFloat32>> trusts = new ArrayList<>();
    List<Operand<TFloat32>> decayed = new ArrayList<>();
    for (int i = 0; i < vars.size(); i++) {
      Params.Entry e = vars.get(i);
      Operand<TFloat32> g = grads.get(i);
      if (g == null) {
        continue;
      }
      if (e.kind() == Params.Kind.STATISTIC) {
        throw new IllegalArgumentException("variable " + e.variable().op().name() + " is a statistic, not trainable");
      }
      Operand<TFloat32> total;
      Operand<TFloat32> trust;
      if (excluded(e.name(), exclude)) {
        total = weightDecay != 0 && excluded(e.name(), plainDecay) ? tf.math.add(g, tf.math.mul(wd, e.read())) : tf.identity(g);
        trust = tf.identity(one);
      } else {
        total = weightDecay == 0 ? g : tf.math.add(g, tf.math.mul(wd, e.read()));
        Operand<TFloat32> wNorm = norm(tf, e.read());
        Operand<TFloat32> gNorm = norm(tf, total);
        Operand<TBool> both = tf.math.logicalAnd(tf.math.greater(wNorm, zero), tf.math.greater(gNorm, zero));
        trust = tf.select(both, tf.math.mul(tf.constant((float) eeta), tf.math.divNoNan(wNorm, gNorm)), one);
      }
      String name = e.variable().op().name();
      Operand<TFloat32> slot =
          Params.legacyVariable(
              plain, "opt/" + name + "/momentum", plain.zeros(plain.constant(e.shape().asArray()), TFloat32.class));
      Operand<TFloat32> scaled = tf.math.mul(tf.math.mul(lr, trust), total);
      updates.add(tf.train.applyMomentum(e.variable(), slot, one, scaled, m, ApplyMomentum.useNesterov(false)));
      trusts.add(trust);
      decayed.add(total);
    }
    return new Step(updates, trusts, decayed);
  }

  /** Frobenius norm of a whole tensor, a scalar. */
  private static Operand<TFloat32> norm(Ops tf, Operand<TFloat32> x) {
    Operand<TFloat32> sq = tf.math.square(x);
    Operand<org.tensorflow.types.TInt32> axes = tf.range(tf.constant(0), tf.rank(sq), tf.constant(1));
    return tf.math.sqrt(tf.reduceSum(sq, axes));
  }
}

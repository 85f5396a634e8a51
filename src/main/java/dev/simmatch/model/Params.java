package dev.simmatch.model;

import dev.simmatch.config.Precision;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Identity;
import org.tensorflow.op.core.Variable;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;

/**
 * The variables of one network, keyed by their PyTorch state_dict names (e.g. {@code
 * block1.layer.0.conv1.weight}), so that weights map one-to-one to the reference
 * implementations.
 *
 * <p>Variables are legacy {@code VariableV2} ops (the kind {@code Session.save} checkpoints). The
 * graph op name is {@code prefix + name}; a second copy of a network (the EMA model) uses another
 * prefix. Math always reads a variable through {@link #read} (an Identity), never the ref itself.
 */
public final class Params {

  /** What a variable is, which decides training, weight decay and EMA treatment. */
  public enum Kind {
    /** Trainable, with weight decay (conv and linear weights). */
    WEIGHT,
    /** Trainable, no weight decay unless configured (BN gamma/beta, biases). */
    NO_DECAY,
    /** Not trainable: BN running statistics (copied, not averaged, by the EMA). */
    STATISTIC
  }

  /**
   * One variable. {@code layout} names how its axes differ from PyTorch: convolution kernels are
   * stored HWIO here ([kh,kw,in,out]) and OIHW in PyTorch; linear weights [in,out] here, [out,in]
   * there.
   */
  public record Entry(String name, Kind kind, Layout layout, Variable<TFloat32> variable, Operand<TFloat32> read) {
    public Shape shape() {
      return variable.shape();
    }
  }

  /** Axis order relative to the PyTorch tensor of the same name. */
  public enum Layout {
    SAME,
    /** TF [kh,kw,in,out] vs PyTorch [out,in,kh,kw]. */
    CONV_HWIO,
    /** TF [in,out] vs PyTorch [out,in]. */
    LINEAR_IO
  }

  private final Ops tf;
  private final String prefix;
  private final Precision precision;
  private final Map<String, Entry> entries;
  /** True for a {@link #onDevice} view: {@link #create} returns the existing variable. */
  private final boolean shared;

  /**
   * @param tf graph ops
   * @param prefix op-name prefix of every variable ("" for the online model, "ema/" for the EMA copy)
   */
  public Params(Ops tf, String prefix) {
    this(tf, prefix, Precision.FLOAT32);
  }

  /**
   * @param precision the arithmetic of the convolutions and matrix products that read these
   *     variables; the variables themselves are float32 either way
   */
  public Params(Ops tf, String prefix, Precision precision) {
    this(tf, prefix, precision, new LinkedHashMap<>(), false);
  }

  private Params(Ops tf, String prefix, Precision precision, Map<String, Entry> entries, boolean shared) {
    this.tf = tf;
    this.prefix = prefix;
    this.precision = precision;
    this.entries = entries;
    this.shared = shared;
  }

  /**
   * The same variables seen from other ops (e.g. placed on another device): a network built over
   * the view reads these variables instead of creating new ones, so data-parallel replicas share
   * one set of weights.
   */
  public Params onDevice(Ops deviceTf) {
    return new Params(deviceTf, prefix, precision, entries, true);
  }

  public Precision precision() {
    return precision;
  }

  public Ops tf() {
    return tf;
  }

  public String prefix() {
    return prefix;
  }

  /**
   * Creates a variable with an initial value (run by the session's initializers); in an {@link
   * #onDevice} view, returns the read of the existing variable of that name.
   *
   * @throws IllegalArgumentException if the name is taken
   */
  public Operand<TFloat32> create(String name, Kind kind, Layout layout, Operand<TFloat32> init) {
    if (shared) {
      Entry e = entry(name);
      if (e.kind() != kind || !e.shape().equals(init.shape())) {
        throw new IllegalArgumentException("variable " + prefix + name + " is shared with another shape or kind");
      }
      return e.read();
    }
    if (entries.containsKey(name)) {
      throw new IllegalArgumentException("variable " + prefix + name + " defined twice");
    }
    Variable<TFloat32> v = legacyVariable(tf, prefix + name, init);
    Operand<TFloat32> read = namedIdentity(tf, prefix + name + "/read", v);
    entries.put(name, new Entry(name, kind, layout, v, read));
    return read;
  }

  /**
   * A legacy VariableV2 with exactly this op name (which may contain '/', unlike names given to
   * {@code Ops.withName}; sub-scopes would make repeated prefixes unique as "ema_1"), assigned
   * {@code init} by the session's initializers.
   */
  public static Variable<TFloat32> legacyVariable(Ops tf, String fullName, Operand<TFloat32> init) {
    Graph g = (Graph) tf.scope().env();
    Variable<TFloat32> v =
        new Variable<>(
            g.opBuilder(Variable.OP_NAME, fullName, tf.scope().withInitScope())
                .setAttr("shape", init.shape())
                .setAttr("dtype", DataType.DT_FLOAT)
                .build());
    tf.withInitScope().withName(fullName.replace('/', '.') + ".init").assign(v, init);
    return v;
  }

  private static Operand<TFloat32> namedIdentity(Ops tf, String fullName, Operand<TFloat32> x) {
    Graph g = (Graph) tf.scope().env();
    return new Identity<>(
        g.opBuilder(Identity.OP_NAME, fullName, tf.scope())
            .addInput(x.asOutput())
            .setAttr("T", DataType.DT_FLOAT)
            .build());
  }

  /** The read of an existing variable. */
  public Operand<TFloat32> read(String name) {
    return entry(name).read();
  }

  public Entry entry(String name) {
    Entry e = entries.get(name);
    if (e == null) {
      throw new IllegalArgumentException("no variable named " + prefix + name);
    }
    return e;
  }

  public boolean contains(String name) {
    return entries.containsKey(name);
  }

  /** All variables in creation order. */
  public List<Entry> all() {
    return Collections.unmodifiableList(new ArrayList<>(entries.values()));
  }

  /** Trainable variables (WEIGHT and NO_DECAY) in creation order. */
  public List<Entry> trainable() {
    return entries.values().stream().filter(e -> e.kind() != Kind.STATISTIC).toList();
  }

  /** Number of scalars in trainable variables whose name starts with one of the prefixes (all if none). */
  public long countTrainable(String... namePrefixes) {
    long n = 0;
    for (Entry e : trainable()) {
      boolean match = namePrefixes.length == 0;
      for (String p : namePrefixes) {
        match |= e.name().startsWith(p);
      }
      if (match) {
        n += e.shape().size();
      }
    }
    return n;
  }
}

package dev.simmatch.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.summary.SummaryWriter;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

/**
 * Scalar TensorBoard event files written by TensorFlow's own summary ops, in a small graph of its
 * own so that the training graph (and any export of it) holds no summary writer.
 */
public final class TensorBoard implements AutoCloseable {
  private final Graph graph = new Graph();
  private final Session session;
  private final Placeholder<TString> tag;
  private final Placeholder<TFloat32> value;
  private final Placeholder<TInt64> step;
  private final String write;
  private final String flush;
  private final String close;
  private final Path logDir;

  public TensorBoard(Path logDir) {
    this.logDir = logDir;
    Ops tf = Ops.create(graph);
    SummaryWriter writer = tf.summary.summaryWriter(SummaryWriter.sharedName("simmatch"));
    tag = tf.placeholder(TString.class);
    value = tf.placeholder(TFloat32.class);
    step = tf.placeholder(TInt64.class);
    var create =
        tf.summary.createSummaryFileWriter(
            writer, tf.constant(logDir.toString()), tf.constant(100), tf.constant(10_000), tf.constant(".simmatch"));
    write = tf.summary.writeScalarSummary(writer, step, tag, value).op().name();
    flush = tf.summary.flushSummaryWriter(writer).op().name();
    close = tf.summary.closeSummaryWriter(writer).op().name();
    session = new Session(graph);
    session.run(create);
  }

  /**
   * Writes one scalar per entry at the given step.
   *
   * @throws UncheckedIOException if the event file cannot be written (disk full...)
   */
  public void scalars(long at, Map<String, Double> values) {
    try {
      write(at, values);
    } catch (TensorFlowException e) {
      throw new UncheckedIOException(
          "cannot write TensorBoard events under " + logDir, new IOException(e.getMessage().lines().findFirst().orElse(""), e));
    }
  }

  private void write(long at, Map<String, Double> values) {
    for (Map.Entry<String, Double> e : values.entrySet()) {
      if (e.getValue() == null || e.getValue().isNaN()) {
        continue;
      }
      try (TString t = TString.scalarOf(e.getKey());
          TFloat32 v = TFloat32.scalarOf(e.getValue().floatValue());
          TInt64 s = TInt64.scalarOf(at)) {
        session.runner().feed(tag, t).feed(value, v).feed(step, s).addTarget(write).run().close();
      }
    }
    session.run(flush);
  }

  @Override
  public void close() {
    session.run(close);
    session.close();
    graph.close();
  }
}

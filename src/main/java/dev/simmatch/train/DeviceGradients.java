package dev.simmatch.train;

import dev.simmatch.model.Params;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import dev.simmatch.distributed.NativeGraphs;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.internal.c_api.TF_Buffer;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_ImportGraphDefOptions;
import org.tensorflow.internal.c_api.TF_ImportGraphDefResults;
import org.tensorflow.internal.c_api.TF_Output;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.internal.c_api.global.tensorflow;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.types.TFloat32;

/**
 * Gradients as {@link Gradients#of}, with each backward op placed on the device of the forward ops
 * it differentiates. {@code Graph.addGradients} creates its ops without a device and the placer then
 * puts most of them on the first device, which would run every replica's backward there. Ops cannot
 * be moved once created, so the gradient ops are built in a scratch copy of the graph, given devices
 * there, and imported into the graph with their inputs mapped onto the existing ops.
 *
 * <p>Device rule, over the new ops in data-flow order: an op whose inputs with a device all share
 * one device gets it; an op whose inputs come from several devices (the sum of the replicas'
 * gradients of a shared variable, i.e. the in-graph all-reduce) gets none. Then, backwards, an op
 * still without a device whose consumers all share one device (constants, shapes) gets theirs.
 */
final class DeviceGradients {
  private DeviceGradients() {}

  static List<Operand<TFloat32>> of(Graph graph, Operand<TFloat32> loss, List<Params.Entry> vars, String prefix) {
    Set<GraphOperation> reached = Gradients.reachable((GraphOperation) loss.op());
    List<Params.Entry> differentiable = new ArrayList<>();
    for (Params.Entry e : vars) {
      if (reached.contains((GraphOperation) e.read().op())) {
        differentiable.add(e);
      }
    }
    List<Operand<TFloat32>> out = new ArrayList<>();
    if (differentiable.isEmpty()) {
      vars.forEach(v -> out.add(null));
      return out;
    }
    GraphDef live = graph.toGraphDef();
    Map<String, String> liveDevice = new HashMap<>();
    live.getNodeList().forEach(n -> liveDevice.put(n.getName(), n.getDevice()));
    if (liveDevice.keySet().stream().anyMatch(n -> n.equals(prefix) || n.startsWith(prefix + "/"))) {
      throw new IllegalStateException("gradient prefix " + prefix + " is taken in the graph");
    }

    List<NodeDef> fresh = new ArrayList<>();
    List<String> dyNames = new ArrayList<>();
    GraphDef scratchDef;
    try (Graph scratch = new Graph()) {
      scratch.importGraphDef(live);
      Output<?>[] xs = new Output<?>[differentiable.size()];
      for (int i = 0; i < xs.length; i++) {
        xs[i] = scratch.operation(differentiable.get(i).read().op().name()).output(0);
      }
      Output<?> y = scratch.operation(loss.op().name()).output(loss.asOutput().index());
      Output<?>[] dy = scratch.addGradients(prefix, new Output<?>[] {y}, xs, null);
      for (Output<?> d : dy) {
        dyNames.add(d.op().name() + ":" + d.index());
      }
      scratchDef = scratch.toGraphDef();
    }
    for (NodeDef n : scratchDef.getNodeList()) {
      if (!liveDevice.containsKey(n.getName())) {
        fresh.add(n);
      }
    }
    List<NodeDef> placed = place(fresh, liveDevice);
    importInto(graph, scratchDef.toBuilder().clearNode().addAllNode(placed).build(), liveDevice.keySet());

    int k = 0;
    for (Params.Entry e : vars) {
      if (reached.contains((GraphOperation) e.read().op())) {
        String[] ref = dyNames.get(k++).split(":");
        @SuppressWarnings("unchecked")
        Operand<TFloat32> d = (Operand<TFloat32>) (Operand<?>) graph.operation(ref[0]).output(Integer.parseInt(ref[1]));
        out.add(d);
      } else {
        out.add(null);
      }
    }
    return out;
  }

  /** The fresh nodes with devices assigned by the rule in the class comment. */
  static List<NodeDef> place(List<NodeDef> fresh, Map<String, String> liveDevice) {
    Map<String, NodeDef> byName = new LinkedHashMap<>();
    fresh.forEach(n -> byName.put(n.getName(), n));
    Map<String, String> device = new HashMap<>();
    List<String> order = new ArrayList<>();
    Set<String> visited = new HashSet<>();
    for (String name : byName.keySet()) {
      visit(name, byName, visited, order);
    }
    for (String name : order) {
      Set<String> seen = new HashSet<>();
      for (String in : byName.get(name).getInputList()) {
        if (in.startsWith("^")) {
          continue;
        }
        String src = nodeOf(in);
        String d = byName.containsKey(src) ? device.get(src) : liveDevice.getOrDefault(src, "");
        if (d != null && !d.isEmpty()) {
          seen.add(d);
        }
      }
      device.put(name, seen.size() == 1 ? seen.iterator().next() : "");
    }
    Map<String, Set<String>> consumerDevices = new HashMap<>();
    for (int i = order.size() - 1; i >= 0; i--) {
      String name = order.get(i);
      if (device.get(name).isEmpty()) {
        Set<String> c = consumerDevices.getOrDefault(name, Set.of());
        if (c.size() == 1 && !c.contains("")) {
          device.put(name, c.iterator().next());
        }
      }
      for (String in : byName.get(name).getInputList()) {
        String src = nodeOf(in);
        if (byName.containsKey(src)) {
          consumerDevices.computeIfAbsent(src, s -> new HashSet<>()).add(device.get(name));
        }
      }
    }
    List<NodeDef> placed = new ArrayList<>();
    for (String name : order) {
      // A colocation hint ("_class": loc:@forward_op) would name an op outside the imported nodes
      // and pull the op away from its replica: the device above replaces it.
      placed.add(byName.get(name).toBuilder().setDevice(device.get(name)).removeAttr("_class").build());
    }
    return placed;
  }

  /** Depth-first post-order: inputs before their consumers (gradient graphs are acyclic). */
  private static void visit(String name, Map<String, NodeDef> byName, Set<String> visited, List<String> order) {
    if (!visited.add(name)) {
      return;
    }
    for (String in : byName.get(name).getInputList()) {
      String src = nodeOf(in);
      if (byName.containsKey(src)) {
        visit(src, byName, visited, order);
      }
    }
    order.add(name);
  }

  private static String nodeOf(String input) {
    String s = input.startsWith("^") ? input.substring(1) : input;
    int colon = s.indexOf(':');
    return colon < 0 ? s : s.substring(0, colon);
  }

  /** Imports {@code def} into the graph, its references to existing ops mapped onto them. */
  private static void importInto(Graph graph, GraphDef def, Set<String> existing) {
    TF_Graph handle = NativeGraphs.handle(graph); // TF Java has no public import with input mappings
    TF_ImportGraphDefOptions opts = tensorflow.TF_NewImportGraphDefOptions();
    TF_Status status = TF_Status.newStatus();
    TF_Buffer buffer = TF_Buffer.newBufferFromString(def);
    List<TF_Output> keep = new ArrayList<>();
    try {
      Set<String> mapped = new HashSet<>();
      for (NodeDef n : def.getNodeList()) {
        for (String in : n.getInputList()) {
          String src = nodeOf(in);
          if (!existing.contains(src) || !mapped.add(in)) {
            continue;
          }
          if (in.startsWith("^")) {
            tensorflow.TF_ImportGraphDefOptionsRemapControlDependency(
                opts, src, tensorflow.TF_GraphOperationByName(handle, src));
          } else {
            int index = in.indexOf(':') < 0 ? 0 : Integer.parseInt(in.substring(in.indexOf(':') + 1));
            TF_Output target = new TF_Output().oper(tensorflow.TF_GraphOperationByName(handle, src)).index(index);
            keep.add(target);
            tensorflow.TF_ImportGraphDefOptionsAddInputMapping(opts, src, index, target);
          }
        }
      }
      TF_ImportGraphDefResults results = tensorflow.TF_GraphImportGraphDefWithResults(handle, buffer, opts, status);
      status.throwExceptionIfNotOK();
      tensorflow.TF_DeleteImportGraphDefResults(results);
    } finally {
      buffer.delete();
      status.delete();
      tensorflow.TF_DeleteImportGraphDefOptions(opts);
      keep.forEach(TF_Output::close);
    }
  }
}

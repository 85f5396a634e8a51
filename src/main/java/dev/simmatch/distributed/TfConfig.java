package dev.simmatch.distributed;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.simmatch.UserInputException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.tensorflow.proto.ClusterDef;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.JobDef;
import org.tensorflow.proto.ServerDef;

/**
 * The cluster of a multi-worker run, from the {@code TF_CONFIG} environment variable in
 * TensorFlow's convention: {@code {"cluster": {"worker": ["host0:2222", "host1:2222"]}, "task":
 * {"type": "worker", "index": 0}}}. Only {@code worker} jobs are used (all-reduce training has no
 * parameter servers); worker 0 is the chief and the collective group leader.
 *
 * @param workers host:port of every worker, in task order
 * @param index this process's task index
 */
public record TfConfig(List<String> workers, int index) {
  public static final String ENV = "TF_CONFIG";
  private static final String JOB = "worker";

  public TfConfig {
    workers = List.copyOf(workers);
    if (index < 0 || index >= workers.size()) {
      throw new UserInputException(ENV + ": task.index " + index + " is not a worker of the cluster (0.."
          + (workers.size() - 1) + ")");
    }
  }

  /** The cluster of this process, or empty when TF_CONFIG is unset or blank. */
  public static Optional<TfConfig> fromEnvironment() {
    String json = System.getenv(ENV);
    return json == null || json.isBlank() ? Optional.empty() : Optional.of(parse(json));
  }

  /** @throws UserInputException naming the field of TF_CONFIG that is missing or wrong */
  public static TfConfig parse(String json) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(json);
    } catch (JsonProcessingException e) {
      throw new UserInputException(ENV + " is not JSON: " + e.getOriginalMessage());
    }
    JsonNode cluster = root == null ? null : root.get("cluster");
    if (cluster == null || !cluster.isObject()) {
      throw new UserInputException(ENV + ": expected an object \"cluster\" with a list \"worker\" of host:port");
    }
    for (Iterator<String> jobs = cluster.fieldNames(); jobs.hasNext(); ) {
      String job = jobs.next();
      if (!job.equals(JOB)) {
        throw new UserInputException(ENV + ": cluster job '" + job + "' is not supported: all-reduce training uses"
            + " \"worker\" tasks only (worker 0 is the chief)");
      }
    }
    JsonNode list = cluster.get(JOB);
    if (list == null || !list.isArray() || list.isEmpty()) {
      throw new UserInputException(ENV + ": cluster.worker must be a non-empty list of host:port");
    }
    List<String> workers = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String address = list.get(i).isTextual() ? list.get(i).asText() : "";
      if (!address.matches("[A-Za-z0-9._\\-\\[\\]:]+:[0-9]{1,5}") || port(address) < 1 || port(address) > 65535) {
        throw new UserInputException(ENV + ": cluster.worker[" + i + "] must be host:port with a port in 1..65535, got "
            + list.get(i));
      }
      if (!seen.add(address)) {
        throw new UserInputException(ENV + ": cluster.worker[" + i + "] repeats " + address);
      }
      workers.add(address);
    }
    JsonNode task = root.get("task");
    if (task == null || !task.isObject() || !JOB.equals(task.path("type").asText()) || !task.path("index").isInt()) {
      throw new UserInputException(ENV + ": expected \"task\": {\"type\": \"worker\", \"index\": i}, got " + task);
    }
    return new TfConfig(workers, task.get("index").asInt());
  }

  private static int port(String address) {
    return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
  }

  public int size() {
    return workers.size();
  }

  /** Worker 0 writes checkpoints, metrics and evaluations. */
  public boolean chief() {
    return index == 0;
  }

  /** The device-name prefix of task i, e.g. {@code /job:worker/replica:0/task:1}. */
  public static String task(int i) {
    return "/job:" + JOB + "/replica:0/task:" + i;
  }

  /** This worker's port (the gRPC server listens on it, on every interface). */
  public int port() {
    return port(workers.get(index));
  }

  /**
   * The server of this task. Collective ops need the group leader in the server's default session
   * config (set only in a session's config they fail; missing, the workers wait for each other
   * forever).
   */
  public ServerDef serverDef() {
    return serverDef(0);
  }

  /** As {@link #serverDef()}, with {@code threads} intra-op threads for the worker's ops (0: TensorFlow's default). */
  public ServerDef serverDef(int threads) {
    JobDef.Builder job = JobDef.newBuilder().setName(JOB);
    for (int i = 0; i < workers.size(); i++) {
      job.putTasks(i, workers.get(i));
    }
    ConfigProto session = ConfigProto.newBuilder()
        .setIntraOpParallelismThreads(threads)
        .setInterOpParallelismThreads(threads == 0 ? 0 : 1)
        .setExperimental(ConfigProto.Experimental.newBuilder().setCollectiveGroupLeader(task(0)))
        .build();
    return ServerDef.newBuilder()
        .setCluster(ClusterDef.newBuilder().addJob(job))
        .setJobName(JOB)
        .setTaskIndex(index)
        .setProtocol("grpc")
        .setDefaultSessionConfig(session)
        .build();
  }
}

package dev.simmatch.config;

import java.util.List;

/**
 * The resolved configuration of one run. Every key and its default is documented in
 * {@code src/main/resources/defaults.yaml}; YAML keys are the snake_case forms of these fields.
 */
public record Config(String name, Algorithm algorithm, Data data, Model model, Train train) {

  public record Algorithm(
      String name,
      double tau,
      double lambdaU,
      boolean hardLabel,
      double lambdaIn,
      double tTeacher,
      double tStudent,
      double alpha,
      String teacher,
      String bankUpdate,
      double bankMomentum,
      int warmupSteps,
      String da,
      int daLen,
      double daEps,
      double daMomentum,
      String daTarget,
      double sharpenT,
      double mixupAlpha,
      double lambdaKl,
      double lambdaRot,
      double unsupWarmUp,
      double temperature,
      boolean hiddenNorm,
      String teacherRun,
      String teacherCheckpoint,
      String teacherWeights,
      double distillTemperature,
      double distillAlpha) {}

  public record Data(
      String dataset,
      String dir,
      int labels,
      long seed,
      String splitFile,
      boolean flip,
      double cropPad,
      String strong,
      String randaugment,
      int raOps,
      int raMagnitude,
      String cutout,
      List<Double> mean,
      List<Double> std,
      int workers,
      int prefetch,
      Integer imageSize,
      Integer extraUnlabeledLimit,
      boolean download,
      String cacheDir,
      String mirror,
      double cropMinArea,
      double jitterStrength,
      double jitterProb,
      double grayscaleProb,
      double blurProb) {}

  public record Model(String arch, int projDim, double bnMomentum, String head, int projLayers, int ftProjSelector) {
    /** The SimMatch head with its defaults: what every run used before {@code model.head} existed. */
    public Model(String arch, int projDim, double bnMomentum) {
      this(arch, projDim, bnMomentum, "simmatch", 3, 0);
    }
  }

  public record Train(
      int steps,
      int batchSize,
      int mu,
      double lr,
      double momentum,
      boolean nesterov,
      double weightDecay,
      boolean decayBnAndBias,
      String schedule,
      double cosineCycles,
      int warmupSteps,
      double ema,
      int evalEvery,
      int evalBatchSize,
      int checkpointEvery,
      int keepCheckpoints,
      boolean labeledWithReplacement,
      long seed,
      int threads,
      String runsDir,
      String precision,
      String optimizer,
      double larsEeta,
      List<String> larsExclude,
      List<String> larsPlainDecay,
      String lrScaling,
      String initFrom,
      String initCheckpoint,
      String initTake,
      boolean initZeroClassifier,
      int replicas,
      String replicaDevice,
      double collectiveTimeout) {}

  /** The run name: {@code name} if set, else algorithm-dataset-labels-sSEED. */
  public String runName() {
    if (name != null && !name.isBlank()) {
      return name;
    }
    return algorithm.name() + "-" + data.dataset() + "-" + data.labels() + "-s" + train.seed();
  }
}

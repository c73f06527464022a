package dev.pipit.cli.bench;

import dev.pipit.model.Architecture;
import dev.pipit.train.BackboneMode;
import dev.pipit.train.BaselineRun;
import dev.pipit.train.FeatureCache;
import dev.pipit.train.TrainingListener;
import dev.pipit.train.TrainingRun;
import dev.pipit.train.TrainingSettings;
import dev.pipit.train.eval.RetrievalMetrics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The results table in one process: trains or fits every (method, code length) on one dataset under
 * the CPU protocol, reusing one backbone pass through the {@link FeatureCache}, and rewrites the
 * report ({@link ResultsReport}) after every case, so that an interrupted run still leaves its
 * finished rows.
 */
public final class RetrievalBench {

  /** Method ids in table order: baselines first, then the deep methods. */
  public static final List<String> METHODS = List.of("lsh", "itq", "adsh-r50", "fcaenet", "agmh");

  /**
   * One bench run.
   *
   * @param dataset dataset kind
   * @param dataRoot its directory
   * @param methods method ids ({@link #METHODS} order is kept in the report)
   * @param bits code lengths
   * @param trainPerClass database images per class (0 = all)
   * @param testPerClass query images per class (0 = all)
   * @param inputSize network input side
   * @param backbone what the deep methods train besides their heads (FROZEN or LAST_STAGE)
   * @param outer T_out of the deep methods
   * @param inner T_in
   * @param samples m
   * @param batch mini-batch size
   * @param seed seed of every method
   * @param learningRate the deep methods' learning rate, or null for the protocol's
   * @param backboneWeights TF.js model.json of the ImageNet ResNet-50
   * @param modelsDir where the artifacts go ({@code <modelsDir>/<method>-<dataset>-<bits>})
   * @param featureCache the feature cache directory
   * @param docs where results.md, results.json and plots/ go
   * @param command the command line to record in the report
   * @param gitRevision recorded in the artifacts
   * @param reduced whether the protocol differs from the full table's (the report then says so)
   */
  public record Config(
      String dataset,
      Path dataRoot,
      List<String> methods,
      List<Integer> bits,
      int trainPerClass,
      int testPerClass,
      int inputSize,
      BackboneMode backbone,
      int outer,
      int inner,
      int samples,
      int batch,
      long seed,
      Float learningRate,
      Path backboneWeights,
      Path modelsDir,
      Path featureCache,
      Path docs,
      String command,
      String gitRevision,
      boolean reduced) {

    public Config {
      methods = List.copyOf(methods);
      bits = List.copyOf(bits);
      for (String m : methods) {
        if (!METHODS.contains(m)) {
          throw new IllegalArgumentException(
              "unknown method " + m + "; expected some of " + METHODS);
        }
      }
    }

    /**
     * The settings of a deep method: the CPU protocol with this bench's input size and schedule.
     */
    public TrainingSettings settings(String method, int codeBits) {
      TrainingSettings s =
          TrainingSettings.cpuProtocol(Architecture.fromId(method), codeBits)
              .withInput(inputSize, backbone)
              .withSchedule(outer, inner, samples, batch)
              .withSeed(seed);
      return learningRate == null ? s : s.withLearningRate(learningRate, s.learningRateDrops());
    }

    /** Number of cases. */
    public int cases() {
      return methods.size() * bits.size();
    }
  }

  /**
   * One finished case.
   *
   * @param method method id
   * @param bits code length
   * @param learned queries against the learned database codes V (for baselines, the hashed
   *     database)
   * @param encoded queries against network-encoded database codes
   * @param seconds wall time of the case, including any feature extraction it triggered
   * @param artifact the artifact directory
   */
  public record Case(
      String method,
      int bits,
      RetrievalMetrics learned,
      RetrievalMetrics encoded,
      double seconds,
      Path artifact) {}

  private RetrievalBench() {}

  /** Runs every case in order (code length outer, method inner) and returns them. */
  public static List<Case> run(Config config, TrainingListener listener, Consumer<String> log)
      throws Exception {
    long start = System.nanoTime();
    List<Case> done = new ArrayList<>();
    ResultsReport report = new ResultsReport(config);
    for (int bits : config.bits()) {
      for (String method : METHODS) {
        if (!config.methods().contains(method)) {
          continue;
        }
        long caseStart = System.nanoTime();
        String name = method + "-" + config.dataset() + "-" + bits;
        Path out = config.modelsDir().resolve(name);
        TrainingSettings settings =
            config.settings(BaselineRun.isBaseline(method) ? "adsh-r50" : method, bits);
        TrainingRun.Plan plan =
            new TrainingRun.Plan(
                name,
                settings,
                config.dataset(),
                config.dataRoot(),
                config.trainPerClass(),
                config.testPerClass(),
                config.backboneWeights(),
                out,
                false,
                config.outer(),
                config.gitRevision(),
                config.featureCache());
        TrainingRun.Result result =
            BaselineRun.isBaseline(method)
                ? BaselineRun.run(
                    method, bits, config.inputSize(), config.seed(), plan, listener, log)
                : TrainingRun.run(plan, listener, log, () -> false);
        Case c =
            new Case(
                method,
                bits,
                result.learned(),
                result.encoded(),
                (System.nanoTime() - caseStart) / 1e9,
                out);
        done.add(c);
        log.accept(
            String.format(
                Locale.ROOT,
                "[%d/%d] %-8s %2d bits  mAP %.4f (learned V)  %.4f (encoded database)  %.0f s "
                    + " (total %.0f s)",
                done.size(),
                config.cases(),
                method,
                bits,
                c.learned().map(),
                c.encoded().map(),
                c.seconds(),
                (System.nanoTime() - start) / 1e9));
        report.write(done, (System.nanoTime() - start) / 1e9);
      }
    }
    report.writeGrid(done);
    return done;
  }
}

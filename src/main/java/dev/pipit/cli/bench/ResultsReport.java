package dev.pipit.cli.bench;

import dev.pipit.train.ArtifactEvaluation;
import dev.pipit.train.BackboneMode;
import dev.pipit.train.BaselineRun;
import dev.pipit.train.TrainingListener;
import dev.pipit.train.TrainingSettings;
import dev.pipit.train.eval.MarkdownReport;
import dev.pipit.train.eval.Plots;
import dev.pipit.train.eval.PrPoint;
import dev.pipit.train.eval.RetrievalMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes a {@link RetrievalBench} run as {@code docs/results.md}, {@code docs/results.json} (shaped
 * {@code {"<dataset>": {"<method>": {"<bits>": mAP}}}}, mAP as a fraction against the learned
 * database codes) and {@code docs/plots/*.png}. Everything in results.md after {@link
 * #NOTES_MARKER} is kept when the file is rewritten, so hand-written notes survive re-runs.
 */
public final class ResultsReport {

  /** Text after this line of results.md is kept across rewrites. */
  public static final String NOTES_MARKER =
      "<!-- notes: everything below this line is kept when the bench rewrites this file -->";

  private static final JsonMapper JSON =
      JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
  private static final Map<String, String> NAMES =
      Map.of(
          "lsh", "LSH", "itq", "ITQ", "adsh-r50", "ADSH-R50", "fcaenet", "FCAENet", "agmh", "AGMH");

  private final RetrievalBench.Config config;

  /**
   * @param config the bench run being reported
   */
  public ResultsReport(RetrievalBench.Config config) {
    this.config = config;
  }

  /** Display name of a method id. */
  public static String displayName(String method) {
    return NAMES.getOrDefault(method, method);
  }

  /** Rewrites results.json, results.md and the mAP and PR plots from the cases finished so far. */
  public void write(List<RetrievalBench.Case> cases, double seconds) throws IOException {
    Path docs = config.docs();
    Files.createDirectories(docs.resolve("plots"));
    Map<String, Map<String, Map<String, Double>>> json = new LinkedHashMap<>();
    Map<String, Map<String, Double>> byMethod = new LinkedHashMap<>();
    for (String method : RetrievalBench.METHODS) {
      Map<String, Double> row = new LinkedHashMap<>();
      for (RetrievalBench.Case c : cases) {
        if (c.method().equals(method)) {
          row.put(Integer.toString(c.bits()), c.learned().map());
        }
      }
      if (!row.isEmpty()) {
        byMethod.put(method, row);
      }
    }
    json.put(config.dataset(), byMethod);
    Files.writeString(docs.resolve("results.json"), JSON.writeValueAsString(json) + "\n");
    Plots.mapVsBits(
        table(cases, RetrievalBench.Case::learned),
        "mAP vs code length, " + config.dataset(),
        docs.resolve("plots").resolve("map-vs-bits-" + config.dataset() + ".png"),
        800,
        600);
    for (int bits : config.bits()) {
      Map<String, List<PrPoint>> curves = new LinkedHashMap<>();
      cases.stream()
          .filter(c -> c.bits() == bits)
          .forEach(c -> curves.put(displayName(c.method()), c.learned().prCurve()));
      if (!curves.isEmpty()) {
        Plots.prCurves(
            curves,
            "PR over Hamming radii, " + bits + " bits, " + config.dataset(),
            docs.resolve("plots").resolve("pr-" + config.dataset() + "-" + bits + ".png"),
            800,
            600);
      }
    }
    Path md = docs.resolve("results.md");
    String notes = "";
    if (Files.exists(md)) {
      String old = Files.readString(md);
      int at = old.indexOf(NOTES_MARKER);
      if (at >= 0) {
        notes = old.substring(at + NOTES_MARKER.length());
      }
    }
    Files.writeString(
        md, markdown(cases, seconds) + "\n" + NOTES_MARKER + (notes.isEmpty() ? "\n" : notes));
  }

  /**
   * Renders a top-10 retrieval grid of the best deep method (highest mAP) at the longest finished
   * code length with {@link ArtifactEvaluation}, into {@code docs/plots/}.
   */
  public void writeGrid(List<RetrievalBench.Case> cases) throws Exception {
    RetrievalBench.Case best = null;
    for (RetrievalBench.Case c : cases) {
      if (!BaselineRun.isBaseline(c.method())
          && (best == null
              || c.bits() > best.bits()
              || (c.bits() == best.bits() && c.learned().map() > best.learned().map()))) {
        best = c;
      }
    }
    if (best == null) {
      return;
    }
    Path eval = best.artifact().resolve("eval");
    ArtifactEvaluation.run(
        new ArtifactEvaluation.Request(
            best.artifact(),
            config.dataset(),
            config.dataRoot(),
            config.trainPerClass(),
            config.testPerClass(),
            config.backboneWeights(),
            config.featureCache(),
            eval,
            5,
            10),
        new TrainingListener() {},
        line -> {});
    Files.copy(
        eval.resolve("grid.png"),
        config.docs().resolve("plots").resolve(gridName(best)),
        StandardCopyOption.REPLACE_EXISTING);
    Path md = config.docs().resolve("results.md");
    String text = Files.readString(md);
    int at = text.indexOf(NOTES_MARKER);
    String grid =
        "### Top-10 retrievals, "
            + displayName(best.method())
            + " at "
            + best.bits()
            + " bits\n\n"
            + "Five queries spread over the test split (first column, blue); results ranked against"
            + " the network-encoded database; green = same class, red = different.\n\n"
            + "![retrieval grid](plots/"
            + gridName(best)
            + ")\n\n";
    Files.writeString(md, text.substring(0, at) + grid + text.substring(at));
  }

  private String gridName(RetrievalBench.Case c) {
    return "grid-" + config.dataset() + "-" + c.method() + "-" + c.bits() + ".png";
  }

  private static Map<String, Map<Integer, Double>> table(
      List<RetrievalBench.Case> cases, Function<RetrievalBench.Case, RetrievalMetrics> metric) {
    Map<String, Map<Integer, Double>> out = new LinkedHashMap<>();
    for (String method : RetrievalBench.METHODS) {
      Map<Integer, Double> row = new TreeMap<>();
      cases.stream()
          .filter(c -> c.method().equals(method))
          .forEach(c -> row.put(c.bits(), metric.apply(c).map()));
      if (!row.isEmpty()) {
        out.put(displayName(method), row);
      }
    }
    return out;
  }

  private String markdown(List<RetrievalBench.Case> cases, double seconds) {
    RetrievalBench.Config c = config;
    StringBuilder out =
        new StringBuilder("# Retrieval results: ").append(c.dataset()).append("\n\n");
    out.append(
        "<!-- generated by `pipit bench-retrieval`; write notes below the marker at the end"
            + " -->\n\n");
    boolean complete = cases.size() == c.cases();
    if (c.reduced()) {
      out.append(
          "> **Reduced run.** Its options differ from the full table's (`make bench-retrieval`, see"
              + " the notes at the end): it proves the pipeline end to end and is not the results"
              + " table.\n\n");
    }
    out.append(
        String.format(
            Locale.ROOT,
            "**%s**: %d of %d cases finished, %.0f s wall time (%.1f min).\n\n",
            complete ? "Complete run" : "Partial run",
            cases.size(),
            c.cases(),
            seconds,
            seconds / 60));
    out.append("## Protocol\n\n");
    RetrievalMetrics any = cases.isEmpty() ? null : cases.getFirst().learned();
    out.append("- Dataset: ")
        .append(c.dataset())
        .append(" (")
        .append(c.dataRoot())
        .append("); database = training")
        .append(" split, ")
        .append(perClass(c.trainPerClass()))
        .append(any == null ? "" : " = " + any.database() + " images")
        .append("; queries = test split, ")
        .append(perClass(c.testPerClass()))
        .append(any == null ? "" : " = " + any.queries() + " images")
        .append(".\n");
    boolean lastStage = c.backbone() == BackboneMode.LAST_STAGE;
    out.append("- Input ")
        .append(c.inputSize())
        .append("×")
        .append(c.inputSize())
        .append(
            " (whole image, area resampling, Caffe BGR means); backbone: ImageNet ResNet-50 (Keras"
                + " weights),")
        .append(
            lastStage
                ? " stem to layer 3 frozen, their layer-3 maps computed once and cached (`"
                : " frozen; its layer-4 maps are computed once and cached (`")
        .append(c.featureCache())
        .append("`), shared by every method and code length.\n");
    TrainingSettings deep = c.settings("agmh", c.bits().getFirst());
    out.append(
        String.format(
            Locale.ROOT,
            "- Deep methods (ADSH-R50, FCAENet, AGMH): %s trained with ADSH on the cached maps;"
                + " T_out %d, T_in %d, m %d, batch %d, lr %s (÷10 at outer iterations %s), γ %.0f,"
                + " seed %d; other settings as published (`TrainingSettings.cpuProtocol`).\n",
            lastStage ? "layer 4 (conv5_x, BatchNorm in training mode) and heads" : "heads",
            deep.outerIterations(),
            deep.innerEpochs(),
            deep.samples(),
            deep.batchSize(),
            deep.learningRate(),
            deep.learningRateDrops().stream().filter(t -> t < deep.outerIterations()).toList(),
            deep.gamma(),
            deep.seed()));
    out.append(
            "- Baselines: LSH (random Gaussian hyperplanes through the mean) and ITQ (PCA + 50"
                + " rotation steps)")
        .append(" on the 2048-d globally pooled layer-4 features of the ImageNet backbone, seed ")
        .append(c.seed())
        .append(".\n");
    out.append(
            "- Evaluation: mAP over the whole database, Hamming ranking, ties by database index,"
                + " queries with no")
        .append(
            " relevant item count 0. Main table: queries encoded by the network against the learned"
                + " database")
        .append(
            " codes V (the papers' protocol); second table: against network-encoded database"
                + " codes.\n\n");
    out.append("## Command\n\n```\n").append(c.command()).append("\n```\n\n");
    out.append("## mAP (%), learned database codes\n\n")
        .append(MarkdownReport.mapByBits(table(cases, RetrievalBench.Case::learned)))
        .append('\n');
    out.append("## mAP (%), network-encoded database\n\n")
        .append(MarkdownReport.mapByBits(table(cases, RetrievalBench.Case::encoded)))
        .append('\n');
    out.append(
            "## Cases\n\n"
                + "| method | bits | mAP (%) | mAP encoded db (%) | P@100 (%) | wall time (s) |\n")
        .append("|---|---:|---:|---:|---:|---:|\n");
    for (RetrievalBench.Case k : cases) {
      out.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %.2f | %.2f | %.2f | %.0f |\n",
              displayName(k.method()),
              k.bits(),
              100 * k.learned().map(),
              100 * k.encoded().map(),
              100 * k.learned().precisionAt(100),
              k.seconds()));
    }
    out.append('\n').append(TargetCheck.markdown(cases)).append('\n');
    out.append("## Plots\n\n![mAP vs bits](plots/map-vs-bits-")
        .append(c.dataset())
        .append(".png)\n\n");
    for (int bits : c.bits()) {
      if (cases.stream().anyMatch(k -> k.bits() == bits)) {
        out.append("![PR ")
            .append(bits)
            .append(" bits](plots/pr-")
            .append(c.dataset())
            .append('-')
            .append(bits)
            .append(".png)\n\n");
      }
    }
    return out.toString();
  }

  private static String perClass(int n) {
    return n == 0 ? "all images" : n + " per class";
  }
}

package dev.pipit.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipit.train.BackboneMode;
import dev.pipit.train.eval.PrPoint;
import dev.pipit.train.eval.PrecisionAtK;
import dev.pipit.train.eval.RetrievalMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/** The bench report: results.json's shape, the Markdown tables, target checks and kept notes. */
class ResultsReportTests {

  @TempDir Path dir;

  static RetrievalMetrics metrics(int bits, double map) {
    return new RetrievalMetrics(
        bits,
        100,
        1000,
        false,
        map,
        0,
        List.of(new PrecisionAtK(100, map)),
        List.of(new PrPoint(0, 0.9, 0.1, 100), new PrPoint(1, 0.8, 0.3, 100)));
  }

  static RetrievalBench.Case c(String method, int bits, double map) {
    return new RetrievalBench.Case(
        method, bits, metrics(bits, map), metrics(bits, map - 0.01), 1, Path.of("x"));
  }

  RetrievalBench.Config config() {
    return new RetrievalBench.Config(
        "fashion-mnist",
        Path.of("/data"),
        RetrievalBench.METHODS,
        List.of(12, 48),
        100,
        20,
        64,
        BackboneMode.LAST_STAGE,
        10,
        3,
        1000,
        64,
        68,
        null,
        Path.of("b/model.json"),
        dir.resolve("models"),
        dir.resolve("cache"),
        dir.resolve("docs"),
        "pipit bench-retrieval --bits 12,48",
        "test",
        true);
  }

  @Test
  void writesJsonShapedByDatasetMethodAndBitsAndMarkdownTables() throws Exception {
    List<RetrievalBench.Case> cases =
        new ArrayList<>(List.of(c("lsh", 12, 0.2), c("itq", 12, 0.3), c("agmh", 12, 0.8)));
    new ResultsReport(config()).write(cases, 42);
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Map<String, Double>>> json =
        JsonMapper.builder()
            .build()
            .readValue(dir.resolve("docs/results.json").toFile(), Map.class);
    assertThat(json).containsOnlyKeys("fashion-mnist");
    assertThat(json.get("fashion-mnist").keySet()).containsExactly("lsh", "itq", "agmh");
    assertThat(json.get("fashion-mnist").get("agmh")).containsExactly(Map.entry("12", 0.8));
    String md = Files.readString(dir.resolve("docs/results.md"));
    assertThat(md)
        .contains("**Reduced run.**")
        .contains("Partial run**: 3 of 10 cases")
        .contains("| AGMH | 80.00 |")
        .contains("pipit bench-retrieval --bits 12,48")
        .contains("| LSH < ITQ at 12 bits | met |")
        .contains("| AGMH ≥ 88 % mAP at 48 bits | not run |");
    assertThat(dir.resolve("docs/plots/map-vs-bits-fashion-mnist.png")).exists();
    assertThat(dir.resolve("docs/plots/pr-fashion-mnist-12.png")).exists();
    assertThat(dir.resolve("docs/plots/pr-fashion-mnist-48.png")).doesNotExist();
  }

  @Test
  void notesBelowTheMarkerSurviveARewrite() throws Exception {
    ResultsReport report = new ResultsReport(config());
    report.write(List.of(c("lsh", 12, 0.2)), 1);
    Path md = dir.resolve("docs/results.md");
    Files.writeString(md, Files.readString(md) + "\n## Notes\n\nHand-written.\n");
    report.write(List.of(c("lsh", 12, 0.2), c("itq", 12, 0.25)), 2);
    String text = Files.readString(md);
    assertThat(text).contains("| ITQ | 25.00 |").endsWith("\n## Notes\n\nHand-written.\n");
    assertThat(text.split(ResultsReport.NOTES_MARKER, -1)).hasSize(2);
  }

  @Test
  void targetChecksGiveMarginsAndMisses() {
    List<TargetCheck.Outcome> outcomes =
        TargetCheck.check(
            List.of(
                c("lsh", 12, 0.30),
                c("itq", 12, 0.25),
                c("adsh-r50", 12, 0.70),
                c("agmh", 12, 0.71),
                c("agmh", 48, 0.90)));
    assertThat(outcomes)
        .contains(
            new TargetCheck.Outcome(
                "LSH < ITQ at 12 bits", "missed", "30.00 vs 25.00 (-5.00 points)"),
            new TargetCheck.Outcome(
                "ADSH-R50 ≤ AGMH at 12 bits", "met", "70.00 vs 71.00 (+1.00 points)"),
            new TargetCheck.Outcome("ADSH-R50 ≤ FCAENet at 12 bits", "not run", ""),
            new TargetCheck.Outcome(
                "AGMH ≥ ADSH-R50 + 2 points at 12 bits",
                "missed",
                "AGMH − ADSH-R50 = +1.00 points"),
            new TargetCheck.Outcome("AGMH ≥ 88 % mAP at 48 bits", "met", "90.00 % (+2.00 points)"));
  }
}

package dev.pipit.train.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportingTests {

  private static final RetrievalMetrics METRICS =
      new RetrievalMetrics(
          4,
          3,
          6,
          false,
          11.0 / 30,
          1,
          List.of(new PrecisionAtK(1, 1.0 / 3), new PrecisionAtK(10, 0.25)),
          List.of(new PrPoint(0, 0.5, 0.125, 2), new PrPoint(1, 1.0, 0.0, 0)));

  @Test
  void jsonRoundTripsAndUsesComponentNames(@TempDir Path dir) throws IOException {
    String json = METRICS.toJson();
    assertThat(json)
        .contains(
            "\"map\"", "\"precisionAtK\"", "\"prCurve\"", "\"queriesRetrieving\"", "\"dropLast\"");
    assertThat(RetrievalMetrics.fromJson(json)).isEqualTo(METRICS);
    Path file = dir.resolve("metrics.json");
    METRICS.writeJson(file);
    assertThat(RetrievalMetrics.readJson(file)).isEqualTo(METRICS);
  }

  @Test
  void summaryTableHasOneRowPerRunInPercent() {
    String table = MarkdownReport.summary(List.of(new MarkdownReport.Row("ADSH | CUB", METRICS)));
    assertThat(table.lines().toList())
        .containsExactly(
            "| run | bits | queries | database | mAP (%) | P@1 (%) | P@10 (%) |",
            "|---|---:|---:|---:|---:|---:|---:|",
            "| ADSH \\| CUB | 4 | 3 | 6 | 36.67 | 33.33 | 25.00 |");
  }

  @Test
  void mapByBitsTableMarksMissingEntries() {
    Map<String, Map<Integer, Double>> map = new LinkedHashMap<>();
    map.put("FCAENet", Map.of(12, 0.3476, 48, 0.8014));
    map.put("SEMICON", Map.of(48, 0.7962));
    assertThat(MarkdownReport.mapByBits(map).lines().toList())
        .containsExactly(
            "| method | 12 bits | 48 bits |",
            "|---|---:|---:|",
            "| FCAENet | 34.76 | 80.14 |",
            "| SEMICON | – | 79.62 |");
  }

  @Test
  void prTableListsEveryRadius() {
    assertThat(MarkdownReport.prCurve(METRICS).lines().toList())
        .containsExactly(
            "| radius | precision (%) | recall (%) | queries retrieving |",
            "|---:|---:|---:|---:|", "| 0 | 50.00 | 12.50 | 2 |", "| 1 | 100.00 | 0.00 | 0 |");
  }
}

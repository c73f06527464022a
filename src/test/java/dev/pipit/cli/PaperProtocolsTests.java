package dev.pipit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pipit.train.BackboneMode;
import dev.pipit.train.TrainingSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * Every shipped config against {@code paper-protocols.csv}, a table transcribed from the papers and
 * the official AGMH code with a source per value: a misread schedule or a value copied from pipit's
 * own defaults shows here, not only a config that drifted from the code.
 */
class PaperProtocolsTests {

  /** One row of the table. */
  record Row(String method, Set<String> datasets, Set<String> bits, String setting, String value) {

    boolean matches(String m, String dataset, int b) {
      return method.equals(m)
          && (datasets.contains("*") || datasets.contains(dataset))
          && (bits.contains("*") || bits.contains("" + b));
    }
  }

  static List<Row> table() throws IOException {
    List<Row> rows = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("src/test/resources/paper-protocols.csv"))) {
      if (line.isBlank() || line.startsWith("#") || line.startsWith("method,")) {
        continue;
      }
      List<String> f = csv(line);
      assertThat(f).as(line).hasSize(6);
      assertThat(f.get(5)).as("every value names its source: " + line).isNotBlank();
      rows.add(
          new Row(
              f.get(0),
              Set.of(f.get(1).split("\\|")),
              Set.of(f.get(2).split("\\|")),
              f.get(3),
              f.get(4)));
    }
    return rows;
  }

  /** Splits a CSV line with double-quoted fields (no escaped quotes inside). */
  static List<String> csv(String line) {
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (char ch : line.toCharArray()) {
      if (ch == '"') {
        quoted = !quoted;
      } else if (ch == ',' && !quoted) {
        fields.add(field.toString());
        field.setLength(0);
      } else {
        field.append(ch);
      }
    }
    fields.add(field.toString());
    return fields;
  }

  /** What a parsed config says for one table setting. */
  static String actual(TrainCommand c, TrainingSettings s, String setting) {
    return switch (setting) {
      case "protocol" -> c.protocol;
      case "input-size" -> "" + s.inputSize();
      case "lr" -> "" + s.learningRate();
      case "lr-factor" -> "" + s.learningRateFactor();
      case "lr-drops" ->
          s.learningRateDrops().stream().map(String::valueOf).collect(Collectors.joining(","));
      case "momentum" -> "" + s.momentum();
      case "nesterov" -> "" + s.nesterov();
      case "weight-decay" -> "" + s.weightDecay();
      case "batch" -> "" + s.batchSize();
      case "inner" -> "" + s.innerEpochs();
      case "outer" -> "" + s.outerIterations();
      case "samples" -> "" + s.samples();
      case "gamma" -> "" + s.gamma();
      case "seed" -> "" + s.seed();
      case "adl-weight" -> "" + s.adlWeight();
      case "descriptors" -> "" + s.agmh().descriptors();
      case "siea-memory" -> "" + s.agmh().memory();
      case "siea-steps" -> "" + s.agmh().steps();
      case "esrl-alpha" -> "" + s.esrlAlpha();
      case "esrl-beta" -> "" + s.esrlBeta();
      case "srem-regions" -> "" + s.sremRegions();
      case "srem-size" -> "" + s.sremSize();
      case "eval-every" -> "" + c.evaluateEvery;
      case "init" -> s.initialization().name().toLowerCase(Locale.ROOT);
      default -> throw new AssertionError("the table names an unknown setting " + setting);
    };
  }

  static boolean same(String expected, String actual) {
    try {
      double e = Double.parseDouble(expected);
      double a = Double.parseDouble(actual);
      return Math.abs(e - a) <= 1e-6 * Math.max(1, Math.abs(e));
    } catch (NumberFormatException notANumber) {
      return expected.equals(actual);
    }
  }

  @Test
  void everyShippedConfigHoldsEveryValueOfThePapersTable() throws Exception {
    List<Row> table = table();
    List<Path> configs;
    try (var files = Files.list(Path.of("configs"))) {
      configs = files.filter(f -> f.toString().endsWith(".properties")).sorted().toList();
    }
    assertThat(configs).hasSize(60);
    Set<Row> used = new HashSet<>();
    List<String> wrong = new ArrayList<>();
    for (Path config : configs) {
      TrainCommand c = TrainConfigTests.parse("--config", config.toString());
      TrainingSettings s = c.settings();
      String method = s.method().id();
      String dataset = c.data.dataset;
      Set<String> covered = new HashSet<>();
      for (Row row : table) {
        if (!row.matches(method, dataset, s.bits())) {
          continue;
        }
        used.add(row);
        assertThat(covered.add(row.setting()))
            .as("two table rows give %s for %s", row.setting(), config)
            .isTrue();
        String value = actual(c, s, row.setting());
        if (!same(row.value(), value)) {
          wrong.add(
              config + ": " + row.setting() + " is " + value + ", the table says " + row.value());
        }
      }
      Set<String> required =
          table.stream()
              .filter(r -> r.method().equals(method))
              .map(Row::setting)
              .collect(Collectors.toSet());
      assertThat(covered).as("settings of %s the table gives", config).isEqualTo(required);
      assertThat(s.backbone()).isEqualTo(BackboneMode.FULL);
      assertThat(c.out.toString()).isEqualTo("models/" + method + "-" + dataset + "-" + s.bits());
    }
    assertThat(wrong).isEmpty();
    assertThat(used).as("no table row is unused").containsExactlyInAnyOrderElementsOf(table);
  }

  @Test
  void theLearningRateFollowsThePublishedSchedules() throws Exception {
    TrainingSettings fcaenet48 =
        TrainConfigTests.parse("--config", "configs/cub200-fcaenet-48.properties").settings();
    assertThat(fcaenet48.learningRateAt(29)).isEqualTo(1e-3f);
    assertThat(fcaenet48.learningRateAt(30)).isCloseTo(1e-4f, within());
    assertThat(fcaenet48.learningRateAt(44)).isCloseTo(1e-4f, within());
    assertThat(fcaenet48.learningRateAt(45)).isCloseTo(1e-5f, within());
    assertThat(fcaenet48.learningRateAt(55)).isCloseTo(1e-6f, within());
    TrainingSettings fcaenet12 =
        TrainConfigTests.parse("--config", "configs/cub200-fcaenet-12.properties").settings();
    assertThat(fcaenet12.learningRateAt(19)).isEqualTo(1e-3f);
    assertThat(fcaenet12.learningRateAt(20)).isCloseTo(1e-4f, within());
    assertThat(fcaenet12.learningRateAt(39)).isCloseTo(1e-5f, within());
    // The AGMH code steps MultiStepLR([40]) once per outer iteration: iteration 41 of 50 runs at
    // 1e-4 on Food-101; on CUB's 40 iterations the milestone is never reached.
    TrainingSettings food =
        TrainConfigTests.parse("--config", "configs/food101-agmh-32.properties").settings();
    assertThat(food.learningRateAt(39)).isEqualTo(1e-3f);
    assertThat(food.learningRateAt(40)).isCloseTo(1e-4f, within());
    assertThat(food.learningRateAt(49)).isCloseTo(1e-4f, within());
    TrainingSettings cub =
        TrainConfigTests.parse("--config", "configs/cub200-agmh-32.properties").settings();
    for (int t = 0; t < cub.outerIterations(); t++) {
      assertThat(cub.learningRateAt(t)).isEqualTo(1e-3f);
    }
  }

  private static Offset<Float> within() {
    return Offset.offset(1e-9f);
  }
}

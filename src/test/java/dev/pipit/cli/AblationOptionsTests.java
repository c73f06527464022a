package dev.pipit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.pipit.model.AgmhNetwork;
import dev.pipit.model.Architecture;
import dev.pipit.model.HashingNetwork;
import dev.pipit.model.ModelArtifact;
import dev.pipit.model.ModelManifest;
import dev.pipit.model.ResNet50;
import dev.pipit.train.TrainingSettings;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The papers' ablation knobs given on the command line reach the network, the losses and the
 * schedule, the artifact records them so that it loads again, and training reports the best
 * evaluated iteration beside the last.
 */
class AblationOptionsTests {

  @TempDir Path dir;

  @Test
  void theKnobsChangeTheSettingsTheScheduleAndTheBuiltNetwork() throws Exception {
    TrainingSettings s =
        TrainConfigTests.parse(
                "--config",
                "configs/cub200-agmh-48.properties",
                "--descriptors",
                "3",
                "--siea-memory",
                "16",
                "--siea-steps",
                "2",
                "--adl-weight",
                "0.25",
                "--lr-drops",
                "1,3",
                "--lr-factor",
                "0.5",
                "--gamma",
                "50")
            .settings();
    assertThat(s.agmh().descriptors()).isEqualTo(3);
    assertThat(s.agmh().memory()).isEqualTo(16);
    assertThat(s.agmh().steps()).isEqualTo(2);
    assertThat(s.adlWeight()).isEqualTo(0.25f);
    assertThat(s.gamma()).isEqualTo(50f);
    assertThat(s.learningRateAt(0)).isEqualTo(1e-3f);
    assertThat(s.learningRateAt(1)).isCloseTo(5e-4f, within(1e-9f));
    assertThat(s.learningRateAt(2)).isCloseTo(5e-4f, within(1e-9f));
    assertThat(s.learningRateAt(3)).isCloseTo(2.5e-4f, within(1e-9f));
    assertThat(
            TrainConfigTests.parse(
                    "--config", "configs/cub200-fcaenet-12.properties", "--lr-drops", "none")
                .settings()
                .learningRateAt(39))
        .isEqualTo(1e-3f);

    try (NDManager manager = NDManager.newBaseManager()) {
      AgmhNetwork net = (AgmhNetwork) s.method().build(s.bits(), ResNet50.Style.KERAS_V1, s.agmh());
      net.initialize(manager, 32, 1);
      assertThat(net.descriptors()).hasSize(3);
      assertThat(net.siea()).hasSize(3);
      // The hash layer reads 3 descriptors × 512 channels; SIEA's memory rows are 16.
      assertThat(net.hashLayer().getParameters().valueAt(0).getArray().getShape().get(1))
          .isEqualTo(3 * 512);
      Parameter query =
          net.siea().getFirst().getChildren().stream()
              .filter(p -> p.getKey().endsWith("query0"))
              .findFirst()
              .orElseThrow()
              .getValue()
              .getParameters()
              .valueAt(0);
      assertThat(query.getArray().getShape().get(0)).isEqualTo(16);
    }
    {
      TrainingSettings f =
          TrainConfigTests.parse(
                  "--config",
                  "configs/food101-fcaenet-24.properties",
                  "--esrl-alpha",
                  "0",
                  "--esrl-beta",
                  "0.5",
                  "--srem-regions",
                  "10",
                  "--srem-size",
                  "16")
              .settings();
      assertThat(f.esrlAlpha()).isZero();
      assertThat(f.esrlBeta()).isEqualTo(0.5f);
      assertThat(f.sremRegions()).isEqualTo(10);
      assertThat(f.sremSize()).isEqualTo(16);
    }
  }

  @Test
  void badValuesAreRefusedWithTheirName() {
    assertThatThrownBy(
            () ->
                TrainConfigTests.parse(
                        "--config", "configs/cub200-agmh-12.properties", "--lr-drops", "30;45")
                    .settings())
        .hasMessageContaining("--lr-drops");
    assertThatThrownBy(
            () ->
                TrainConfigTests.parse(
                        "--config", "configs/cub200-agmh-12.properties", "--descriptors", "1")
                    .settings())
        .hasMessageContaining("at least 2 descriptors");
    assertThatThrownBy(
            () ->
                TrainConfigTests.parse(
                        "--config", "configs/cub200-agmh-12.properties", "--lr-factor", "10")
                    .settings())
        .hasMessageContaining("factor");
  }

  @Test
  void anAblatedAgmhTrainsRecordsItsShapeAndBestIterationAndLoadsAgain() throws Exception {
    Path out = dir.resolve("agmh-2");
    int exit =
        new CommandLine(new TrainCommand())
            .execute(
                "--method",
                "agmh",
                "--bits",
                "12",
                "--dataset",
                "fashion-mnist",
                "--data-root",
                "/usr/share/datasets/fashion-mnist",
                "--train-per-class",
                "3",
                "--test-per-class",
                "2",
                "--protocol",
                "cpu",
                "--backbone",
                "frozen",
                "--input-size",
                "32",
                "--outer",
                "3",
                "--inner",
                "1",
                "--samples",
                "30",
                "--batch",
                "10",
                "--descriptors",
                "2",
                "--siea-memory",
                "8",
                "--siea-steps",
                "2",
                "--eval-every",
                "1",
                "--feature-cache",
                "none",
                "--out",
                out.toString());
    assertThat(exit).isZero();
    ModelManifest m = ModelArtifact.open(out).manifest();
    assertThat(m.provenance().settings())
        .containsEntry("agmh_descriptors", "2")
        .containsEntry("siea_memory", "8")
        .containsEntry("siea_steps", "2")
        .containsEntry("learning_rate_drops", "7")
        .containsEntry("evaluation_drop_last", "false");
    Map<String, Double> metrics = m.provenance().metrics();
    assertThat(metrics).containsKeys("map_best", "map_best_iteration");
    assertThat(metrics.get("map_best")).isGreaterThanOrEqualTo(metrics.get("map"));
    assertThat(metrics.get("map_best_iteration")).isBetween(1.0, 3.0);

    try (NDManager manager = NDManager.newBaseManager()) {
      HashingNetwork loaded = Architecture.build(m);
      loaded.allocate(manager, 32);
      try (var in =
          new DataInputStream(
              new BufferedInputStream(Files.newInputStream(out.resolve("weights.params"))))) {
        loaded.loadParameters(manager, in);
      }
      assertThat(((AgmhNetwork) loaded).descriptors()).hasSize(2);
    }
  }
}

package dev.pipit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipit.model.DevicePreference;
import dev.pipit.model.ModelArtifact;
import dev.pipit.model.ResNet50;
import dev.pipit.train.BackboneMode;
import dev.pipit.train.DataPipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code pipit train --config}: the shipped paper-protocol configs parse to the published settings,
 * and one runs end to end with its sizes overridden on the command line.
 */
class TrainConfigTests {

  @TempDir Path dir;

  static TrainCommand parse(String... args) throws Exception {
    TrainCommand command = new TrainCommand();
    new CommandLine(command).parseArgs(args);
    command.applyConfig();
    return command;
  }

  @Test
  void commandLineOptionsWinOverTheConfig() throws Exception {
    TrainCommand c =
        parse(
            "--config",
            "configs/cub200-agmh-48.properties",
            "--bits",
            "12",
            "--out",
            "/tmp/m",
            "--protocol",
            "cpu");
    assertThat(c.settings().bits()).isEqualTo(12);
    assertThat(c.settings().backbone()).isEqualTo(BackboneMode.LAST_STAGE);
    assertThat(c.settings().outerIterations()).isEqualTo(40); // still from the file
    assertThat(c.out).isEqualTo(Path.of("/tmp/m"));
    TrainCommand frozen =
        parse(
            "--config",
            "configs/cub200-agmh-48.properties",
            "--protocol",
            "cpu",
            "--backbone",
            "frozen");
    assertThat(frozen.settings().backbone()).isEqualTo(BackboneMode.FROZEN);
    assertThat(frozen.settings().inputSize()).isEqualTo(224); // from the file
  }

  @Test
  void theTrainingDeviceIsChosenOnTheCommandLine() throws Exception {
    String[] base = {"--config", "configs/cub200-agmh-48.properties"};
    assertThat(parse(base).device.device)
        .isEqualTo(DevicePreference.AUTO); // a GPU when one is visible
    assertThat(parse(base[0], base[1], "--device", "CPU").device.device)
        .isEqualTo(DevicePreference.CPU);
    assertThat(parse(base[0], base[1], "--device", "cuda").device.device)
        .isEqualTo(DevicePreference.CUDA);
    assertThatThrownBy(() -> parse(base[0], base[1], "--device", "tpu"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("'tpu' is not a device; use one of [auto, cpu, cuda]");
  }

  @Test
  void theDataPipelineComesFromTheCommandLineOrTheConfigAndDefaultsToTheMachine() throws Exception {
    String[] base = {"--config", "configs/cub200-agmh-48.properties"};
    assertThat(parse(base).dataPipeline()).isEqualTo(DataPipeline.defaults());
    assertThat(parse(base[0], base[1], "--data-workers", "0").dataPipeline())
        .isEqualTo(new DataPipeline(0, DataPipeline.DEFAULT_PREFETCH));
    assertThat(
            parse(base[0], base[1], "--data-workers", "3", "--data-prefetch", "8").dataPipeline())
        .isEqualTo(new DataPipeline(3, 8));
    Path config = dir.resolve("workers.properties");
    Files.writeString(
        config, Files.readString(Path.of(base[1])) + "\ndata-workers=2\ndata-prefetch=6\n");
    assertThat(parse("--config", config.toString()).dataPipeline())
        .isEqualTo(new DataPipeline(2, 6));
    assertThat(parse("--config", config.toString(), "--data-workers", "5").dataPipeline())
        .isEqualTo(new DataPipeline(5, 6));
    assertThatThrownBy(() -> parse(base[0], base[1], "--data-workers", "-1").dataPipeline())
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("data workers must be 0..256");
  }

  @Test
  void theBackboneLayoutComesWithWeightsOfItsKind() throws Exception {
    String[] base = {"--config", "configs/cub200-agmh-48.properties"};
    assertThat(parse(base).layout()).isEqualTo(ResNet50.Style.KERAS_V1);
    assertThat(
            parse(
                    base[0],
                    base[1],
                    "--backbone-layout",
                    "torchvision",
                    "--backbone-weights",
                    "resnet50.safetensors")
                .layout())
        .isEqualTo(ResNet50.Style.TORCHVISION_V15);
    assertThatThrownBy(() -> parse(base[0], base[1], "--backbone-layout", "torchvision").layout())
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("needs --backbone-weights pointing at a torchvision ResNet-50");
    assertThatThrownBy(() -> parse(base[0], base[1], "--backbone-weights", "r50.pt").layout())
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("add --backbone-layout torchvision");
    assertThatThrownBy(() -> parse(base[0], base[1], "--backbone-layout", "caffe").layout())
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("known: keras, torchvision");
  }

  @Test
  void unknownKeysAndMissingRequiredOptionsAreRefused() throws Exception {
    Path bad = dir.resolve("bad.properties");
    Files.writeString(bad, "method=agmh\nbitz=12\n");
    assertThatThrownBy(() -> parse("--config", bad.toString()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown option bitz");
    assertThatThrownBy(() -> parse("--method", "agmh", "--dataset", "fashion-mnist", "--out", "x"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("--bits");
  }

  @Test
  void aPaperConfigWithTinySizesFromTheCommandLineTrainsEndToEnd() throws Exception {
    Path out = dir.resolve("fcaenet-full");
    int exit =
        new CommandLine(new TrainCommand())
            .execute(
                "--config",
                "configs/cub200-fcaenet-12.properties",
                "--dataset",
                "fashion-mnist",
                "--data-root",
                "/usr/share/datasets/fashion-mnist",
                "--train-per-class",
                "2",
                "--test-per-class",
                "1",
                "--input-size",
                "32",
                "--outer",
                "2",
                "--inner",
                "1",
                "--samples",
                "20",
                "--batch",
                "10",
                "--out",
                out.toString());

    assertThat(exit).isZero();
    ModelArtifact artifact = ModelArtifact.open(out);
    assertThat(artifact.manifest().architecture()).isEqualTo("fcaenet");
    assertThat(artifact.manifest().bits()).isEqualTo(12);
    assertThat(artifact.manifest().input().height()).isEqualTo(32);
    assertThat(artifact.manifest().provenance().settings())
        .containsEntry("backbone", "full")
        .containsEntry("outer_iterations", "2")
        .containsEntry("samples", "20");
  }
}

package dev.pipit.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pipit.PythonReference;
import dev.pipit.encode.Preprocessing;
import dev.pipit.model.Architecture;
import dev.pipit.model.BackboneReference;
import dev.pipit.model.DevicePreference;
import dev.pipit.model.ModelArtifact;
import dev.pipit.model.ModelManifest;
import dev.pipit.model.ResNet50;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run on a user's torchvision ResNet-50 (a generated state dict, random but fixed weights):
 * torchvision's preprocessing and the backbone layout are recorded in the manifest, and the written
 * artifact, rebuilt from its manifest and evaluated afresh, scores what the run scored — the
 * service serves it with the same layout and preprocessing it was trained with.
 */
class TorchvisionTrainingTests {

  @TempDir static Path weights;

  @TempDir Path dir;

  @BeforeAll
  static void export() throws Exception {
    PythonReference.run("torchvision_resnet50.py", weights.toString(), "32", "1");
  }

  static TrainingRun.Plan plan(Path out) {
    TrainingSettings settings =
        TrainingSettings.paperDefaults(Architecture.ADSH_R50, 16)
            .withInput(32, BackboneMode.FROZEN)
            .withSchedule(2, 1, 60, 30)
            .withLearningRate(0.01f, List.of());
    return new TrainingRun.Plan(
        "tv-test",
        settings,
        "fashion-mnist",
        TrainingRunTests.FASHION,
        6,
        3,
        weights.resolve("resnet50.safetensors"),
        out,
        false,
        1,
        "test",
        null,
        DevicePreference.CPU,
        ResNet50.Style.TORCHVISION_V15,
        DataPipeline.defaults());
  }

  @Test
  void torchvisionPreprocessingIsTheLayoutsAndScalesWithTheInput() {
    var at224 = TrainingRun.preprocessing(224, ResNet50.Style.TORCHVISION_V15);
    assertThat(at224).isEqualTo(Preprocessing.torchvisionEval());
    var at448 = TrainingRun.preprocessing(448, ResNet50.Style.TORCHVISION_V15);
    assertThat(at448.resize()).isEqualTo(512);
    assertThat(at448.crop()).isEqualTo(448);
    assertThat(TrainingRun.preprocessing(64, ResNet50.Style.KERAS_V1))
        .isEqualTo(TrainingRun.preprocessing(64));
  }

  @Test
  void aRunRecordsTheLayoutAndItsArtifactServesWithIt() throws Exception {
    Path out = dir.resolve("tv");
    TrainingRun.Result result =
        TrainingRun.run(plan(out), TrainingListener.NONE, l -> {}, () -> false);

    ModelManifest m = ModelArtifact.open(out).manifest();
    assertThat(m.provenance().settings())
        .containsEntry(ResNet50.Style.SETTING, "torchvision")
        .containsEntry(
            BackboneReference.SETTING,
            BackboneReference.fileSha256(weights.resolve("resnet50.safetensors")));
    assertThat(ResNet50.Style.of(m)).isEqualTo(ResNet50.Style.TORCHVISION_V15);
    assertThat(m.preprocessing())
        .isEqualTo(
            new ModelManifest.Preprocessing(
                "shorter-side", 37, 32, "imagenet-rgb", "bilinear-antialias"));
    TrainingRunTests.assertReevaluatesTo(
        out, 6, 3, null, dir.resolve("eval"), result.encoded().map());
  }

  @Test
  void baselinesRefuseATorchvisionBackbone() {
    assertThatThrownBy(
            () ->
                BaselineRun.run(
                    "lsh", 16, 32, 1, plan(dir.resolve("lsh")), TrainingListener.NONE, l -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("shipped Keras backbone");
  }
}

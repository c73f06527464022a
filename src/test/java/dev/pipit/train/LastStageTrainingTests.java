package dev.pipit.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.pipit.model.Architecture;
import dev.pipit.model.HashingNetwork;
import dev.pipit.model.KerasResNet50Importer;
import dev.pipit.model.ModelArtifact;
import dev.pipit.model.TorchParameterNames;
import dev.pipit.train.eval.CodeSet;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link BackboneMode#LAST_STAGE} on a small slice of Fashion-MNIST with the real ImageNet backbone
 * (32-pixel input): conv5_x trains with the head on cached stage-3 maps, the loss falls, the
 * artifact carries the fine-tuned conv5_x (and the untouched ImageNet stem to stage 3), and the
 * artifact, reloaded for evaluation or for serving from raw images (BatchNorm folded), gives the
 * codes of the training run.
 */
class LastStageTrainingTests {

  private static final int BITS = 16;

  @TempDir Path dir;

  @Test
  void trainsConv5WithTheHeadAndTheArtifactReproducesTheCodes() throws Exception {
    TrainingSettings settings =
        TrainingSettings.cpuProtocol(Architecture.ADSH_R50, BITS)
            .withInput(32, BackboneMode.LAST_STAGE)
            .withSchedule(3, 1, 120, 30)
            .withLearningRate(0.01f, List.of());
    Path out = dir.resolve("adsh");
    Path cache = dir.resolve("cache");
    TrainingRunTests.Recorder recorder = new TrainingRunTests.Recorder();
    TrainingRun.Result result =
        TrainingRun.run(
            new TrainingRun.Plan(
                "adsh-last-stage",
                settings,
                "fashion-mnist",
                TrainingRunTests.FASHION,
                20,
                8,
                TrainingRunTests.BACKBONE,
                out,
                false,
                1,
                "test",
                cache),
            recorder,
            line -> {},
            () -> false);

    assertThat(recorder.iterations).hasSize(3);
    assertThat(recorder.iterations.getLast().losses().total())
        .isLessThan(recorder.iterations.getFirst().losses().total());
    assertThat(result.learned().map())
        .isGreaterThan(0.2); // 10 balanced classes: chance is about 0.1
    assertThat(Files.list(cache).map(p -> p.getFileName().toString()))
        .as("stage-3 maps cached under their own keys")
        .anyMatch(name -> name.contains("plain-stage3"));

    ModelArtifact artifact = ModelArtifact.open(out);
    assertThat(artifact.manifest().provenance().settings()).containsEntry("backbone", "last_stage");
    assertOnlyConv5Changed(artifact);

    ArtifactEvaluation.Outcome evaluated =
        TrainingRunTests.assertReevaluatesTo(
            out, 20, 8, cache, dir.resolve("eval"), result.encoded().map());

    float[] images = TrainingRunTests.testImages(artifact, 20, 8, 32);
    int n = images.length / (3 * 32 * 32);
    float[][] served = TrainingRunTests.served(artifact, images, n);
    float[] flat = new float[n * BITS];
    for (int i = 0; i < n; i++) {
      System.arraycopy(served[i], 0, flat, i * BITS, BITS);
    }
    CodeSet servedCodes = CodeSet.fromSigns(BITS, flat);
    int differingBits = 0;
    for (int i = 0; i < n; i++) {
      differingBits += servedCodes.distance(i, evaluated.queries(), i);
    }
    assertThat(differingBits)
        .as("bits where serving raw images differs from the cached-map evaluation")
        .isZero();
  }

  /**
   * conv5_x's parameters moved away from ImageNet; stem to stage 3 are bit for bit the ImageNet
   * ones.
   */
  private static void assertOnlyConv5Changed(ModelArtifact artifact) throws Exception {
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      HashingNetwork trained = Architecture.ADSH_R50.build(BITS);
      trained.allocate(manager, 32);
      try (var in =
          new DataInputStream(
              new BufferedInputStream(Files.newInputStream(artifact.weightsFile())))) {
        trained.loadParameters(manager, in);
      }
      HashingNetwork imageNet = Architecture.ADSH_R50.build(BITS);
      imageNet.allocate(manager, 32);
      KerasResNet50Importer.importBackbone(TrainingRunTests.BACKBONE, imageNet.backbone());
      Map<String, Parameter> before = TorchParameterNames.of(imageNet);
      int changedInStage4 = 0;
      for (Map.Entry<String, Parameter> e : TorchParameterNames.of(trained).entrySet()) {
        String name = e.getKey();
        if (!name.startsWith("backbone.")) {
          continue;
        }
        boolean same =
            Arrays.equals(
                e.getValue().getArray().toFloatArray(), before.get(name).getArray().toFloatArray());
        if (name.startsWith("backbone.layer4.")) {
          changedInStage4 += same ? 0 : 1;
        } else {
          assertThat(same).as("%s unchanged", name).isTrue();
        }
      }
      // Weight, bias, γ, β and running statistics of conv5_x's 10 conv-BN units (3 blocks, 1
      // projection).
      assertThat(changedInStage4).isEqualTo(60);
    }
  }

  @Test
  void stageThreeThenStageFourIsTheWholeBackbone() throws Exception {
    try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
      HashingNetwork network = Architecture.ADSH_R50.build(BITS);
      network.allocate(manager, 64);
      KerasResNet50Importer.importBackbone(TrainingRunTests.BACKBONE, network.backbone());
      var images = manager.randomUniform(-100f, 100f, new Shape(2, 3, 64, 64));
      var ps = new ParameterStore(manager, false);
      float[] whole =
          network
              .backbone()
              .forward(ps, new NDList(images), false)
              .singletonOrThrow()
              .toFloatArray();
      var stage3 = network.backbone().forwardToStage3(ps, images, false);
      assertThat(stage3.getShape().getShape()).containsExactly(2, 1024, 4, 4);
      float[] split = network.backbone().forwardStage4(ps, stage3, false).toFloatArray();
      assertThat(split).containsExactly(whole);
      assertThat(FeatureCut.STAGE3.side(64)).isEqualTo(4);
      assertThat(FeatureCut.STAGE4.side(64)).isEqualTo(2);
    }
  }
}

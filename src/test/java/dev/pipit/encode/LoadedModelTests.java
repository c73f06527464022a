package dev.pipit.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.pipit.model.Architecture;
import dev.pipit.model.HashingNetwork;
import dev.pipit.model.ModelArtifact;
import dev.pipit.model.ModelArtifactException;
import dev.pipit.model.ModelManifest;
import dev.pipit.model.compile.CompileMode;
import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An artifact written from a network serves the same outputs through the batching encoder. */
class LoadedModelTests {

  static final int SIDE = 64;

  @TempDir Path dir;

  static ModelManifest manifest(String architecture, int bits) {
    return new ModelManifest(
        ModelManifest.FORMAT,
        "test-" + architecture,
        architecture,
        bits,
        new ModelManifest.Input(3, SIDE, SIDE),
        new ModelManifest.Preprocessing("square", SIDE, SIDE, "caffe-bgr", "area"),
        List.of(),
        "weights.params",
        Map.of("weights.params", ""),
        new ModelManifest.Provenance(
            "synthetic", Map.of(), "2026-11-23T00:00:00Z", "test", Map.of()));
  }

  @Test
  void aSavedNetworkServesItsOwnOutputsWithBatchNormFolded() throws Exception {
    float[] image = new float[3 * SIDE * SIDE];
    Random random = new Random(5);
    for (int i = 0; i < image.length; i++) {
      image[i] = (float) random.nextGaussian() * 50;
    }
    float[] expected;
    try (NDManager manager = NDManager.newBaseManager()) {
      HashingNetwork net = Architecture.ADSH_R50.build(24);
      net.initialize(manager, SIDE, 68);
      try (var out = new DataOutputStream(Files.newOutputStream(dir.resolve("weights.params")))) {
        net.saveParameters(out);
      }
      expected =
          net.serve(
                  new ParameterStore(manager, false),
                  manager.create(image, new Shape(1, 3, SIDE, SIDE)))
              .toFloatArray();
    }
    ModelArtifact artifact = ModelArtifact.write(dir, manifest("adsh-r50", 24));

    try (LoadedModel model = LoadedModel.load(artifact, Device.cpu());
        var encoder =
            new BatchingEncoder(
                model.backends(1), new EncoderOptions(4, Duration.ofMillis(1), 8))) {
      Encoded encoded = encoder.submit(image).get(60, TimeUnit.SECONDS);

      assertThat(encoded.values()).containsExactly(expected, Offset.offset(1e-4f));
      assertThat(model.preprocessing().crop()).isEqualTo(SIDE);
      assertThat(model.servingPath()).startsWith("compiled: TorchScript/oneDNN");
    }
  }

  @Test
  void compilingOffServesTheEagerBlocksWithTheSameOutputs() throws Exception {
    try (NDManager manager = NDManager.newBaseManager()) {
      HashingNetwork net = Architecture.AGMH.build(12);
      net.initialize(manager, SIDE, 68);
      try (var out = new DataOutputStream(Files.newOutputStream(dir.resolve("weights.params")))) {
        net.saveParameters(out);
      }
    }
    ModelArtifact artifact = ModelArtifact.write(dir, manifest("agmh", 12));
    float[] image = new float[3 * SIDE * SIDE];
    Random random = new Random(6);
    for (int i = 0; i < image.length; i++) {
      image[i] = (float) random.nextGaussian() * 50;
    }
    float[][] outputs = new float[2][];
    String[] paths = new String[2];
    CompileMode[] modes = {CompileMode.OFF, CompileMode.AUTO};
    for (int m = 0; m < modes.length; m++) {
      try (LoadedModel model = LoadedModel.load(artifact, Device.cpu(), modes[m])) {
        EncoderBackend backend = model.backends(1).get(0);
        outputs[m] = backend.forward(image, 1)[0];
        backend.close();
        paths[m] = model.servingPath();
      }
    }

    assertThat(paths[0]).isEqualTo("eager (compile off)");
    assertThat(paths[1]).startsWith("compiled: ");
    assertThat(outputs[1]).containsExactly(outputs[0], Offset.offset(1e-4f));
  }

  @Test
  void weightsOfAnotherArchitectureAreRefused() throws Exception {
    try (NDManager manager = NDManager.newBaseManager()) {
      HashingNetwork net = Architecture.ADSH_R50.build(24);
      net.initialize(manager, SIDE, 68);
      try (var out = new DataOutputStream(Files.newOutputStream(dir.resolve("weights.params")))) {
        net.saveParameters(out);
      }
    }
    ModelArtifact artifact = ModelArtifact.write(dir, manifest("agmh", 24));

    assertThatThrownBy(() -> LoadedModel.load(artifact, Device.cpu()))
        .isInstanceOf(ModelArtifactException.class)
        .hasMessageContaining("weights do not load into agmh");
  }
}

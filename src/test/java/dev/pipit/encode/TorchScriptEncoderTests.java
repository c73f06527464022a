package dev.pipit.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import dev.pipit.PythonReference;
import dev.pipit.index.Code;
import dev.pipit.model.ModelArtifact;
import dev.pipit.model.ModelArtifactException;
import dev.pipit.model.ModelManifest;
import dev.pipit.model.TorchScriptModule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TorchScript module written by PyTorch is packaged as a pipit model artifact and served directly
 * as an encoder; its codes must equal the signs of PyTorch's own outputs.
 */
class TorchScriptEncoderTests {

  static final int BITS = 48;
  static final int SIZE = 32;
  static final int BATCH = 4;

  @TempDir Path dir;

  @Test
  void aTorchScriptArtifactEncodesLikePyTorch() throws Exception {
    PythonReference.run("torchscript_fixture.py", dir.toString(), "" + BITS, "" + SIZE, "" + BATCH);
    ModelArtifact artifact =
        ModelArtifact.write(
            dir,
            new ModelManifest(
                ModelManifest.FORMAT,
                "tiny-ts",
                "torchscript",
                BITS,
                new ModelManifest.Input(3, SIZE, SIZE),
                new ModelManifest.Preprocessing("square", SIZE, SIZE, "imagenet-rgb", "bilinear"),
                List.of(),
                "model.pt",
                Map.of("model.pt", ""),
                new ModelManifest.Provenance(
                    "synthetic", Map.of(), "2026-11-23T00:00:00Z", "test", Map.of())));
    float[] input = PythonReference.readFloats(dir.resolve("input.f32"));
    float[] expected = PythonReference.readFloats(dir.resolve("output.f32"));
    int length = 3 * SIZE * SIZE;

    try (TorchScriptModule module = TorchScriptModule.load(artifact.weightsFile(), Device.cpu());
        var encoder =
            new BatchingEncoder(
                List.of(new BlockBackend(module.block(), Device.cpu(), BITS, 3, SIZE, SIZE)),
                new EncoderOptions(BATCH, Duration.ofMillis(50), 16))) {
      var futures = new ArrayList<CompletableFuture<Encoded>>();
      for (int i = 0; i < BATCH; i++) {
        futures.add(encoder.submit(Arrays.copyOfRange(input, i * length, (i + 1) * length)));
      }
      for (int i = 0; i < BATCH; i++) {
        float[] want = Arrays.copyOfRange(expected, i * BITS, (i + 1) * BITS);
        Encoded got = futures.get(i).get(60, TimeUnit.SECONDS);
        assertThat(got.values()).containsExactly(want, Offset.offset(1e-5f));
        assertThat(got.code()).isEqualTo(Code.fromSigns(want));
      }
    }
  }

  @Test
  void aFileThatIsNotTorchScriptIsRefused() throws Exception {
    Path bogus = Files.write(dir.resolve("model.pt"), "not a zip archive".getBytes());

    assertThatThrownBy(() -> TorchScriptModule.load(bogus, Device.cpu()))
        .isInstanceOf(ModelArtifactException.class)
        .hasMessageContaining("cannot load TorchScript module");
    assertThatThrownBy(() -> TorchScriptModule.load(dir.resolve("absent.pt"), Device.cpu()))
        .isInstanceOf(ModelArtifactException.class)
        .hasMessageContaining("does not exist");
  }
}

package dev.pipit.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelArtifactTests {

  @TempDir Path dir;

  static ModelManifest manifest(String architecture, String weights, Map<String, String> files) {
    return new ModelManifest(
        ModelManifest.FORMAT,
        "agmh-test-48",
        architecture,
        48,
        new ModelManifest.Input(3, 224, 224),
        new ModelManifest.Preprocessing("square", 224, 224, "caffe-bgr", "area"),
        List.of("a", "b"),
        weights,
        files,
        new ModelManifest.Provenance(
            "fashion-mnist",
            Map.of("map", 0.9),
            "2026-11-23T00:00:00Z",
            "abc123",
            Map.of("seed", "68")));
  }

  ModelArtifact writeValid() throws IOException {
    Files.write(dir.resolve("weights.params"), new byte[] {1, 2, 3, 4});
    return ModelArtifact.write(
        dir, manifest("agmh", "weights.params", Map.of("weights.params", "")));
  }

  @Test
  void writtenArtifactsOpenWithVerifiedHashes() throws IOException {
    ModelArtifact written = writeValid();
    ModelArtifact opened = ModelArtifact.open(dir);

    assertThat(opened.manifest()).isEqualTo(written.manifest());
    assertThat(opened.manifest().files())
        .containsEntry(
            "weights.params", "9f64a747e1b97f131fabb6b447296c9b6f0201e79fb3c5356e6c77e89b6a806a");
    assertThat(opened.manifest().provenance().metrics()).containsEntry("map", 0.9);
    assertThat(opened.weightsFile()).isEqualTo(dir.resolve("weights.params"));
    assertThat(opened.fingerprint()).hasSize(32).isEqualTo(written.fingerprint());
  }

  @Test
  void aChangedWeightFileIsRefusedByName() throws IOException {
    writeValid();
    Files.write(dir.resolve("weights.params"), new byte[] {1, 2, 3, 5});

    assertThatThrownBy(() -> ModelArtifact.open(dir))
        .isInstanceOf(ModelArtifactException.class)
        .hasMessageContaining("weights.params is corrupt")
        .hasMessageContaining("9f64a747");
  }

  @Test
  void aMissingWeightFileIsRefused() throws IOException {
    writeValid();
    Files.delete(dir.resolve("weights.params"));

    assertThatThrownBy(() -> ModelArtifact.open(dir))
        .isInstanceOf(ModelArtifactException.class)
        .hasMessageContaining("weights.params is listed in the manifest but missing");
  }

  @Test
  void aDirectoryWithoutManifestIsNotAnArtifact() {
    assertThatThrownBy(() -> ModelArtifact.open(dir))
        .isInstanceOf(ModelArtifactException.class)
        .hasMessageContaining("manifest.json is missing");
  }

  @Test
  void malformedOrInconsistentManifestsAreRefused() throws IOException {
    Files.writeString(dir.resolve("manifest.json"), "{ not json");
    assertThatThrownBy(() -> ModelArtifact.open(dir))
        .isInstanceOf(ModelArtifactException.class)
        .hasMessageContaining("cannot be read");

    Files.write(dir.resolve("w.params"), new byte[] {1});
    assertThatThrownBy(
            () ->
                ModelArtifact.write(
                    dir, manifest("resnet-9000", "w.params", Map.of("w.params", ""))))
        .isInstanceOf(ModelArtifactException.class)
        .hasMessageContaining("architecture must be one of");
    assertThatThrownBy(
            () ->
                ModelArtifact.write(dir, manifest("agmh", "other.params", Map.of("w.params", ""))))
        .isInstanceOf(ModelArtifactException.class)
        .hasMessageContaining("must list the weights file other.params");
  }

  @Test
  void manifestPathsCannotLeaveTheArtifactDirectory() throws IOException {
    Path inner = Files.createDirectories(dir.resolve("model"));
    Files.write(dir.resolve("secret"), new byte[] {9});
    String escaping =
        """
        {"format":1,"name":"x","architecture":"agmh","bits":48,
         "input":{"channels":3,"height":224,"width":224},
         "preprocessing":{"resizeMode":"square","resize":224,"crop":224,"normalization":"caffe-bgr","resampling":"area"},
         "classes":[],"weights":"../secret","files":{"../secret":"00"}}
        """;
    Files.writeString(inner.resolve("manifest.json"), escaping);

    assertThatThrownBy(() -> ModelArtifact.open(inner))
        .isInstanceOf(ModelArtifactException.class)
        .hasMessageContaining("points outside");
  }
}

package dev.pipit;

import ai.djl.ndarray.NDManager;
import dev.pipit.model.Architecture;
import dev.pipit.model.HashingNetwork;
import dev.pipit.model.ModelArtifact;
import dev.pipit.model.ModelManifest;
import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Model artifacts for tests: a real network of the given architecture with random weights. */
public final class TestModels {

  private TestModels() {}

  /** Writes {@code <dir>/<name>/} with manifest.json and weights.params, and returns the directory. */
  public static Path writeRandom(Path dir, String name, Architecture architecture, int bits, int side)
      throws Exception {
    Path model = Files.createDirectories(dir.resolve(name));
    try (NDManager manager = NDManager.newBaseManager()) {
      HashingNetwork net = architecture.build(bits);
      net.initialize(manager, side);
      try (var out = new DataOutputStream(Files.newOutputStream(model.resolve("weights.params")))) {
        net.saveParameters(out);
      }
    }
    ModelArtifact.write(model, new ModelManifest(
        ModelManifest.FORMAT, name, architecture.id(), bits, new ModelManifest.Input(3, side, side),
        new ModelManifest.Preprocessing("square", side, side, "caffe-bgr", "area"), List.of(), "weights.params",
        Map.of("weights.params", ""),
        new ModelManifest.Provenance("synthetic", Map.of(), "2026-11-23T00:00:00Z", "test", Map.of())));
    return model;
  }
}

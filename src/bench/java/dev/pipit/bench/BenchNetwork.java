package dev.pipit.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.pipit.TestModels;
import dev.pipit.model.Architecture;
import dev.pipit.model.HashingNetwork;
import dev.pipit.model.KerasResNet50Importer;
import dev.pipit.model.Safetensors;
import dev.pipit.model.TorchParameterNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * The network every benchmark path runs: AGMH with the real ImageNet ResNet-50 backbone and a
 * seeded random head (non-trivial BN statistics, tanh not saturated), plus seeded random inputs.
 * {@link #export} writes both for the Python side, under PyTorch parameter names.
 */
final class BenchNetwork {

  static final Path IMAGENET = TestModels.IMAGENET;

  private BenchNetwork() {}

  /**
   * Builds and initialises AGMH, imports the ImageNet backbone and fills the head from {@code
   * seed}.
   */
  static HashingNetwork agmh(NDManager manager, int bits, int side, long seed) throws IOException {
    if (!Files.exists(IMAGENET)) {
      throw new IllegalStateException(IMAGENET + " is missing: run bin/fetch-assets");
    }
    HashingNetwork net = Architecture.AGMH.build(bits);
    net.allocate(manager, side);
    KerasResNet50Importer.importBackbone(IMAGENET, net.backbone());
    TestModels.randomiseHead(TorchParameterNames.of(net), new Random(seed));
    return net;
  }

  /** {@code n} inputs of {@code 3·side·side} floats, standard normal (preprocessed-image range). */
  static float[][] inputs(int n, int side, long seed) {
    Random random = new Random(seed);
    float[][] images = new float[n][3 * side * side];
    for (float[] image : images) {
      for (int i = 0; i < image.length; i++) {
        image[i] = (float) random.nextGaussian();
      }
    }
    return images;
  }

  /**
   * Writes {@code weights.safetensors}, {@code input.safetensors} and {@code job.json} into {@code
   * dir}.
   */
  static void export(Path dir, HashingNetwork net, float[][] images, int side) throws IOException {
    Files.createDirectories(dir);
    Map<String, Safetensors.Tensor> weights = new LinkedHashMap<>();
    TorchParameterNames.of(net).forEach((name, p) -> weights.put(name, tensor(p.getArray())));
    Safetensors.write(dir.resolve("weights.safetensors"), weights);
    float[] flat = new float[images.length * images[0].length];
    for (int i = 0; i < images.length; i++) {
      System.arraycopy(images[i], 0, flat, i * images[i].length, images[i].length);
    }
    Safetensors.write(
        dir.resolve("input.safetensors"),
        Map.of("images", new Safetensors.Tensor(new long[] {images.length, 3, side, side}, flat)));
    Files.writeString(dir.resolve("job.json"), "{\"bits\": " + net.bits() + "}");
  }

  private static Safetensors.Tensor tensor(NDArray a) {
    return new Safetensors.Tensor(a.getShape().getShape(), a.toFloatArray());
  }
}

